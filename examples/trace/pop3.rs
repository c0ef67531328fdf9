//! POP3 in the `trace` example.

use std::io::Write;

use crate::{Out, Side};

/// Decodes `input` as sent by `side`.
pub(crate) fn trace<W: Write>(side: Side, _input: &[u8], _out: &mut Out<W>) -> Result<(), String> {
    let side = match side {
        Side::Client => "client",
        Side::Server => "server",
    };
    Err(format!("pop3 {side}: decoding is not available yet"))
}
