//! Helpers shared by the grammar tests.

use mailwire_imap::Limits;
use mailwire_imap::decode;
use mailwire_imap::encode::Encode;
use mailwire_imap::types::CommandBody;

/// Decodes one whole command, checks that it re-encodes to the same
/// octets, and gives its body.
pub(crate) fn command(wire: &[u8]) -> CommandBody<'_> {
    let (cmd, used) = decode::command(wire, &Limits::default())
        .unwrap_or_else(|e| panic!("{e}: {:?}", String::from_utf8_lossy(wire)))
        .complete()
        .unwrap();
    assert_eq!(used, wire.len());
    assert_eq!(cmd.to_bytes(), wire, "re-encoded");
    cmd.body
}
