//! WCAG 2.2 contrast (success criteria 1.4.3 and 1.4.11): the relative luminance of an sRGB
//! colour, the contrast ratio of two, and which of black and white reads best on a colour: the
//! text colour the Connect widget puts on an app's primary colour.
//!
//! Nango's Connect UI picks white when `0.299R + 0.587G + 0.114B <= 186` (a perceived-brightness
//! rule, spec §4.6); connkit picks whichever of black and white has the higher WCAG contrast
//! ratio on the colour (spec §12), so the pair always reaches the best ratio either can.
//!
//! Knows nothing about CSS syntax beyond `#rgb` / `#rrggbb`, the DOM or themes. No floating-point
//! function of `std` is used (core is `no_std` on wasm): the sRGB curve's power is computed
//! with multiplications and a Newton iteration.

/// A colour's red, green and blue channels.
pub type Rgb = [u8; 3];

/// Black, `#000000`.
pub const BLACK: Rgb = [0, 0, 0];
/// White, `#ffffff`.
pub const WHITE: Rgb = [255, 255, 255];

/// Reads `#rgb` or `#rrggbb` (either case); `None` for anything else.
pub fn parse_hex(text: &str) -> Option<Rgb> {
    let digits = text.strip_prefix('#')?.as_bytes();
    let nibble = |b: u8| {
        char::from(b)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    match digits {
        [r, g, b] => Some([nibble(*r)? * 17, nibble(*g)? * 17, nibble(*b)? * 17]),
        [r1, r2, g1, g2, b1, b2] => Some([
            nibble(*r1)? * 16 + nibble(*r2)?,
            nibble(*g1)? * 16 + nibble(*g2)?,
            nibble(*b1)? * 16 + nibble(*b2)?,
        ]),
        _ => None,
    }
}

/// `#rrggbb`, lowercase.
pub fn to_hex(rgb: Rgb) -> [u8; 7] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [b'#'; 7];
    for (i, c) in rgb.into_iter().enumerate() {
        out[1 + 2 * i] = DIGITS[usize::from(c >> 4)];
        out[2 + 2 * i] = DIGITS[usize::from(c & 15)];
    }
    out
}

/// WCAG's relative luminance, from 0 (black) to 1 (white).
pub fn relative_luminance(rgb: Rgb) -> f64 {
    let [r, g, b] = rgb.map(linear);
    0.2126 * r + 0.7152 * g + 0.0722 * b
}

/// WCAG's contrast ratio of two luminances, from 1 to 21.
pub fn contrast_ratio(a: f64, b: f64) -> f64 {
    let (light, dark) = if a >= b { (a, b) } else { (b, a) };
    (light + 0.05) / (dark + 0.05)
}

/// Black or white, whichever contrasts more with `background` (black on a tie).
pub fn on_colour(background: Rgb) -> Rgb {
    let l = relative_luminance(background);
    if contrast_ratio(l, 0.0) >= contrast_ratio(l, 1.0) {
        BLACK
    } else {
        WHITE
    }
}

/// One sRGB channel, linearised: `c / 12.92` below the knee, else `((c + 0.055) / 1.055)^2.4`.
fn linear(channel: u8) -> f64 {
    let c = f64::from(channel) / 255.0;
    if c <= 0.040_45 {
        return c / 12.92;
    }
    let x = (c + 0.055) / 1.055;
    // x^2.4 = x^2 · (x^2)^(1/5).
    let square = x * x;
    square * fifth_root(square)
}

/// The fifth root of `a` in (0, 1], by Newton's method from 1 (it descends monotonically; above
/// the sRGB knee `a` is at least 0.008, so 40 steps reach the nearest double).
fn fifth_root(a: f64) -> f64 {
    let mut y = 1.0_f64;
    for _ in 0..40 {
        let y4 = y * y * y * y;
        y = (4.0 * y + a / y4) / 5.0;
    }
    y
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luminance_matches_wcag_reference_values() {
        let close = |a: f64, b: f64| (a - b).abs() < 1e-4;
        assert!(close(relative_luminance(BLACK), 0.0));
        assert!(close(relative_luminance(WHITE), 1.0));
        // sRGB 128 grey is 0.2158605 (WCAG's formula); #767676 is the lightest grey with 4.5:1 on white.
        assert!(close(relative_luminance([128, 128, 128]), 0.215_860_5));
        let grey = relative_luminance([0x76, 0x76, 0x76]);
        assert!(
            contrast_ratio(1.0, grey) >= 4.5,
            "{}",
            contrast_ratio(1.0, grey)
        );
        let lighter = relative_luminance([0x77, 0x77, 0x77]);
        assert!(contrast_ratio(1.0, lighter) < 4.5);
        assert!(close(contrast_ratio(0.0, 1.0), 21.0));
        assert!(close(contrast_ratio(1.0, 0.0), 21.0));
    }

    #[test]
    fn the_on_colour_is_the_one_with_more_contrast() {
        for (background, on) in [
            ("#0b63ce", WHITE),
            ("#00b2e3", BLACK),
            ("#ffeb3b", BLACK),
            ("#000", WHITE),
            ("#fff", BLACK),
            ("#717171", WHITE),
            ("#767676", BLACK),
            ("#777777", BLACK),
            ("#ff0000", BLACK),
            ("#d32f2f", WHITE),
        ] {
            let rgb = parse_hex(background).expect(background);
            assert_eq!(on_colour(rgb), on, "{background}");
            let l = relative_luminance(rgb);
            let other = if on == WHITE { BLACK } else { WHITE };
            let ratio = |c| contrast_ratio(l, relative_luminance(c));
            assert!(ratio(on) >= ratio(other), "{background}");
        }
    }

    #[test]
    fn hex_is_read_and_written() {
        assert_eq!(parse_hex("#0B63ce"), Some([11, 99, 206]));
        assert_eq!(parse_hex("#abc"), Some([0xaa, 0xbb, 0xcc]));
        for bad in [
            "",
            "#",
            "0b63ce",
            "#0b63c",
            "#0b63cez",
            "#ggg",
            "#0b63ce00",
            "#ééé",
        ] {
            assert_eq!(parse_hex(bad), None, "{bad}");
        }
        assert_eq!(&to_hex([11, 99, 206]), b"#0b63ce");
        assert_eq!(&to_hex(WHITE), b"#ffffff");
    }
}
