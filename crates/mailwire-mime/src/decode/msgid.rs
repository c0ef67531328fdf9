//! Message identifier lists (RFC 5322 §3.6.4, §4.5.4), read tolerantly.

use crate::types::MessageId;

use super::lexer::{quoted_string, skip_comment};

/// Decodes the message identifiers of a Message-ID, In-Reply-To or
/// References field body, in order.
///
/// ```text
/// message-id  = "Message-ID:" msg-id CRLF                ; RFC 5322 §3.6.4
/// in-reply-to = "In-Reply-To:" 1*msg-id CRLF
/// references  = "References:" 1*msg-id CRLF
/// msg-id      = [CFWS] "<" id-left "@" id-right ">" [CFWS]
/// obs-in-reply-to = "In-Reply-To" *WSP ":" *(phrase / msg-id) CRLF  ; §4.5.4
/// obs-references  = "References" *WSP ":" *(phrase / msg-id) CRLF
/// obs-id-left = local-part, obs-id-right = domain         ; §4.5.4
/// ```
///
/// Comments, quoted strings and phrase words between identifiers are
/// skipped; folding, white space and comments inside the brackets are
/// removed (outside quoted parts). Tolerant of what mailers write: a `<` without
/// `>` runs to the next `<`, white space or the end; commas between
/// identifiers are ignored; when the field holds no bracketed identifier at
/// all, each bare word with an `@` is taken as one (`Message-ID:
/// 1234@example.org`). Empty brackets are skipped. The cost is linear in
/// the input.
///
/// ```
/// use mailwire_mime::decode::message_ids;
/// let ids = message_ids(b" <a@x> (comment)\r\n <b@y>, Your message <c@z>");
/// let ids: Vec<&str> = ids.iter().map(|i| i.as_str()).collect();
/// assert_eq!(ids, ["a@x", "b@y", "c@z"]);
/// assert_eq!(message_ids(b" 1234@example.org")[0].as_str(), "1234@example.org");
/// ```
pub fn message_ids(raw: &[u8]) -> Vec<MessageId> {
    let mut ignored = Vec::new();
    let mut bracketed = Vec::new();
    let mut bare = Vec::new();
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        match b {
            b' ' | b'\t' | b'\r' | b'\n' | b',' => i += 1,
            b'(' => i = skip_comment(raw, i, &mut ignored),
            b'"' => i = quoted_string(raw, i, &mut ignored).1,
            b'<' => {
                let start = i + 1;
                let end = raw
                    .get(start..)
                    .and_then(|rest| memchr::memchr2(b'>', b'<', rest))
                    .map_or(raw.len(), |p| start + p);
                let (id, next) = if raw.get(end) == Some(&b'>') {
                    (&raw[start..end], end + 1)
                } else {
                    // Unterminated: up to white space, the next `<` or the end.
                    let stop = raw[start..end]
                        .iter()
                        .position(|b| b.is_ascii_whitespace())
                        .map_or(end, |p| start + p);
                    (&raw[start..stop], stop)
                };
                if let Some(id) = normalise(id) {
                    bracketed.push(id);
                }
                i = next;
            }
            _ => {
                let start = i;
                while let Some(&c) = raw.get(i) {
                    if matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b',' | b'(' | b'<' | b'"') {
                        break;
                    }
                    i += 1;
                }
                let word = &raw[start..i];
                if bracketed.is_empty()
                    && memchr::memchr(b'@', word).is_some()
                    && let Some(id) = normalise(word)
                {
                    bare.push(id);
                }
            }
        }
    }
    if bracketed.is_empty() {
        bare
    } else {
        bracketed
    }
}

/// The identifier between brackets, with CR, LF, white space and
/// comments outside quoted parts removed (the `CFWS` of `obs-id-left` and
/// `obs-id-right`); `None` when nothing is left.
fn normalise(id: &[u8]) -> Option<MessageId> {
    let mut out = Vec::with_capacity(id.len());
    let mut ignored = Vec::new();
    let mut i = 0;
    while let Some(&b) = id.get(i) {
        match b {
            b'\r' | b'\n' | b' ' | b'\t' => i += 1,
            b'(' => i = skip_comment(id, i, &mut ignored),
            b'"' => {
                let (content, end) = quoted_string(id, i, &mut ignored);
                out.push(b'"');
                for &c in content.iter() {
                    if c == b'"' || c == b'\\' {
                        out.push(b'\\');
                    }
                    out.push(c);
                }
                out.push(b'"');
                i = end;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    if out.is_empty() {
        return None;
    }
    Some(MessageId::new(match String::from_utf8(out) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(raw: &[u8]) -> Vec<String> {
        message_ids(raw)
            .into_iter()
            .map(|i| i.as_str().to_owned())
            .collect()
    }

    #[test]
    fn rfc5322_appendix_a() {
        // A.2
        assert_eq!(
            ids(b" <1234@local.machine.example>"),
            ["1234@local.machine.example"]
        );
        assert_eq!(ids(b" <3456@example.net>"), ["3456@example.net"]);
        assert_eq!(
            ids(b" <1234@local.machine.example> <3456@example.net>"),
            ["1234@local.machine.example", "3456@example.net"]
        );
        // A.3: comments
        assert_eq!(
            ids(b" <5678.21-Nov-1997@example.com>"),
            ["5678.21-Nov-1997@example.com"]
        );
        // A.6.3: obsolete folding inside the brackets.
        assert_eq!(
            ids(b" <1234   @   local(blah)  .machine .example>"),
            ["1234@local.machine.example"]
        );
    }

    #[test]
    fn tolerance() {
        assert_eq!(
            ids(b" Your message of \"Mon, 1 Jan\" <a@b> (x <no@no>)"),
            ["a@b"]
        );
        assert_eq!(ids(b" <a@b>,<c@d>"), ["a@b", "c@d"]);
        assert_eq!(ids(b" <a@b <c@d>"), ["a@b", "c@d"]);
        assert_eq!(ids(b" <a@b"), ["a@b"]);
        assert_eq!(ids(b" <>  <x>"), ["x"]);
        assert_eq!(ids(b" a@b c@d word"), ["a@b", "c@d"]);
        assert_eq!(ids(b" john@example.org <a@b>"), ["a@b"]);
        assert_eq!(ids(b" <\"a b\"@c>"), ["\"a b\"@c"]);
        assert_eq!(ids(b" <a@b>\r\n\t<c@\r\n d>"), ["a@b", "c@d"]);
        assert!(ids(b"").is_empty());
        assert!(ids(b" ((((").is_empty());
        assert_eq!(ids("<ü@ß>".as_bytes()), ["ü@ß"]);
    }
}
