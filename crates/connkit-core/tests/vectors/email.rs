//! Runner for `"kind": "email"` vectors: `input` is a string, `valid` is zod 4.0.5's verdict for
//! `z.string().email()` (without `.min(5)`).

use connkit_core::email::is_valid_email;
use serde_json::Value;

pub(crate) fn check(case: &Value) -> Result<(), String> {
    let input = case["input"].as_str().ok_or("input must be a string")?;
    let want = case["valid"].as_bool().ok_or("valid must be a boolean")?;
    let got = is_valid_email(input);
    if got == want {
        Ok(())
    } else {
        Err(format!("{input:?}: want valid={want}, got {got}"))
    }
}
