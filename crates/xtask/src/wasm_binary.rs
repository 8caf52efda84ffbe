//! The few things xtask reads or changes in a wasm binary itself: the module its imports come
//! from, and which exports it keeps. Sections are walked by their ids and sizes; nothing else
//! of the format is understood.
//!
//! Knows nothing about what the module does or who builds it.

use anyhow::{Context, Result, bail};

/// The id of the import section.
const IMPORTS: u8 = 2;
/// The id of the export section.
const EXPORTS: u8 = 7;

/// One section: its id and where its contents lie in the binary.
struct Section {
    id: u8,
    /// Where the section starts (its id byte).
    start: usize,
    /// Where its contents start and end.
    contents: std::ops::Range<usize>,
}

/// The sections of `wasm`, in order.
fn sections(wasm: &[u8]) -> Result<Vec<Section>> {
    if wasm.get(..4) != Some(b"\0asm".as_slice()) {
        bail!("not a wasm binary");
    }
    let mut out = Vec::new();
    let mut at = 8; // magic and version
    while at < wasm.len() {
        let start = at;
        let id = *wasm.get(at).context("truncated wasm")?;
        at += 1;
        let size = leb(wasm, &mut at)?;
        let end = at.checked_add(size).filter(|end| *end <= wasm.len());
        let end = end.context("a section runs past the end of the binary")?;
        out.push(Section {
            id,
            start,
            contents: at..end,
        });
        at = end;
    }
    Ok(out)
}

/// The import module of a wasm binary's first import (binaryen gives them all the same one).
pub(crate) fn import_module(wasm: &[u8]) -> Result<String> {
    let section = sections(wasm)?.into_iter().find(|s| s.id == IMPORTS);
    let section = section.context("the module imports nothing")?;
    let mut at = section.contents.start;
    let _count = leb(wasm, &mut at)?;
    Ok(name(wasm, &mut at)?.to_owned())
}

/// `wasm` with only the exports whose name `keep` accepts; what they alone reached is left for
/// wasm-opt to remove.
pub(crate) fn retain_exports(wasm: &[u8], keep: impl Fn(&str) -> bool) -> Result<Vec<u8>> {
    let sections = sections(wasm)?;
    let section = sections.iter().find(|s| s.id == EXPORTS);
    let section = section.context("the module exports nothing")?;
    let mut at = section.contents.start;
    let count = leb(wasm, &mut at)?;
    let mut kept = Vec::new();
    let mut kept_count = 0;
    for _ in 0..count {
        let entry = at;
        let export = name(wasm, &mut at)?;
        at += 1; // kind
        leb(wasm, &mut at)?; // index
        if keep(export) {
            kept.extend_from_slice(wasm.get(entry..at).context("truncated export")?);
            kept_count += 1;
        }
    }
    if at != section.contents.end {
        bail!("the export section has bytes after its last export");
    }
    let mut contents = Vec::new();
    push_leb(&mut contents, kept_count);
    contents.extend_from_slice(&kept);
    let mut out = wasm.get(..section.start).unwrap_or_default().to_vec();
    out.push(EXPORTS);
    push_leb(&mut out, contents.len());
    out.extend_from_slice(&contents);
    out.extend_from_slice(wasm.get(section.contents.end..).unwrap_or_default());
    Ok(out)
}

/// A name (length, UTF-8 bytes) at `*at`, which moves past it.
fn name<'a>(wasm: &'a [u8], at: &mut usize) -> Result<&'a str> {
    let len = leb(wasm, at)?;
    let bytes = at
        .checked_add(len)
        .and_then(|end| wasm.get(*at..end))
        .context("truncated name")?;
    *at += len;
    Ok(std::str::from_utf8(bytes)?)
}

/// An unsigned LEB128 number at `*at`, which moves past it.
fn leb(bytes: &[u8], at: &mut usize) -> Result<usize> {
    let mut out = 0usize;
    for shift in (0..35).step_by(7) {
        let byte = *bytes.get(*at).context("truncated wasm")?;
        *at += 1;
        out |= usize::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(out);
        }
    }
    bail!("LEB128 number too long")
}

/// `value` as an unsigned LEB128 number at the end of `out`.
fn push_leb(out: &mut Vec<u8>, mut value: usize) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Magic, version, a type section, an import section (1 import "ab" "c" func 0), a function
    /// section (2 functions of type 0), an export section (`f` func 1, `gg` func 2) and a code
    /// section (two empty bodies).
    const WASM: [u8; 50] = [
        0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, //
        1, 4, 1, 0x60, 0, 0, //
        2, 8, 1, 2, b'a', b'b', 1, b'c', 0, 0, //
        3, 3, 2, 0, 0, //
        7, 10, 2, 1, b'f', 0, 1, 2, b'g', b'g', 0, 2, //
        10, 7, 2, 2, 0, 0x0b, 2, 0, 0x0b,
    ];

    #[test]
    fn reads_the_import_module_of_a_binary() {
        assert_eq!(import_module(&WASM).unwrap(), "ab");
        assert!(import_module(&WASM[..12]).is_err());
    }

    #[test]
    fn keeps_the_exports_asked_for() {
        let out = retain_exports(&WASM, |name| name == "gg").unwrap();
        let section = [7, 6, 1, 2, b'g', b'g', 0, 2];
        assert_eq!(out.get(29..37), Some(section.as_slice()));
        assert_eq!(out.len(), WASM.len() - 4);
        assert_eq!(out.get(37..), WASM.get(41..));
        assert_eq!(retain_exports(&WASM, |_| true).unwrap(), WASM.to_vec());
        assert!(retain_exports(&WASM[..40], |_| true).is_err());
    }
}
