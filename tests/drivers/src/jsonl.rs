//! A line-oriented driver for differential tests: reads JSON lines from stdin and writes one
//! JSON line of connkit's verdict per input to stdout.
//!
//! * `{"op":"tags","input":<any JSON>}` → `{"ok":bool,"value":<tags or null>,"codes":[…],"nango":[{code,message,path}…]}`
//!   (Nango projection for the body `{"tags": input}`).
//! * `{"op":"email","input":"<string>"}` → `{"valid":bool}`.
//! * `{"op":"url","input":"<string>"}` → `{"valid":bool}` (a field's `format: uri`).
//! * `{"op":"sign","secret":"…","input":<any JSON>}` → `{"body":"…","hmac":"…","legacy":"…"}`: the
//!   webhook bytes (`stable_stringify`) and both signature header values.
//!
//! * `{"op":"flush"}` → no output line; flushes what is buffered (sent at the end of a batch).
//!
//! A line that cannot be read gives `{"error":"…"}`; the driver never stops early.
//!
//! `cargo xtask` builds it (`--release`) and passes its path to the JavaScript tests as
//! `CONNKIT_JSONL_BIN`. Knows nothing about the server or the npm package.

use std::io::{BufRead, BufWriter, Write};

use connkit_core::email::is_valid_email;
use connkit_core::js::url_can_parse;
use connkit_core::tags::{nango_tag_errors, validate_tags};
use connkit_core::webhook::{sign, stable_stringify};
use serde_json::{Value, json};

fn main() -> std::io::Result<()> {
    let stdin = std::io::stdin().lock();
    let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let prefix = ["tags".to_owned()];
    for line in stdin.lines() {
        let line = line?;
        let reply = match serde_json::from_str::<Value>(&line) {
            Ok(request) if request["op"] == "flush" => {
                out.flush()?;
                continue;
            }
            Ok(request) => answer(&request, &prefix),
            Err(err) => json!({"error": err.to_string()}),
        };
        serde_json::to_writer(&mut out, &reply)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

fn answer(request: &Value, prefix: &[String]) -> Value {
    let input = &request["input"];
    match request["op"].as_str() {
        Some("tags") => {
            let nango: Vec<Value> = nango_tag_errors(input, prefix)
                .into_iter()
                .map(|it| json!({"code": it.code, "message": it.message, "path": it.path}))
                .collect();
            match validate_tags(input) {
                Ok(tags) => {
                    json!({"ok": true, "value": tags.to_json(), "codes": [], "nango": nango})
                }
                Err(err) => {
                    let codes: Vec<&str> =
                        err.issues().iter().map(|it| it.code().as_str()).collect();
                    json!({"ok": false, "value": null, "codes": codes, "nango": nango})
                }
            }
        }
        Some("email") => json!({"valid": input.as_str().is_some_and(is_valid_email)}),
        Some("url") => json!({"valid": input.as_str().is_some_and(url_can_parse)}),
        Some("sign") => {
            let body = stable_stringify(input);
            let sigs = sign(
                request["secret"].as_str().unwrap_or_default(),
                body.as_bytes(),
            );
            json!({"body": body, "hmac": sigs.hmac_sha256, "legacy": sigs.legacy})
        }
        _ => json!({"error": "unknown op"}),
    }
}
