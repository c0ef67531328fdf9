//! `BODYSTRUCTURE` and sections of `mailwire_imap::mime` on the edge cases
//! where Dovecot answers differently (the accepted differences of
//! `.ci/peers/imap_srv_compare.py`): each test pins the reading the RFCs
//! support, on a minimal message.
#![cfg(feature = "mime")]

use mailwire_imap::encode::Encode;
use mailwire_imap::mime;
use mailwire_imap::types::{Section, SectionText};
use mailwire_mime::Message;

fn structure(input: &[u8]) -> String {
    let message = Message::parse(input);
    String::from_utf8(mime::body_structure(&message, true).to_bytes()).unwrap()
}

fn section(input: &[u8], part: &[u32], text: Option<SectionText<'static>>) -> Vec<u8> {
    let message = Message::parse(input);
    let section = Section {
        part: part.to_vec(),
        text,
    };
    mime::section(&message, &section).unwrap().into_owned()
}

/// RFC 2045 §4 lets a reader interpret a message without `MIME-Version`
/// by local convention: its `Content-*` fields are read as written
/// (Dovecot drops them unless `Content-Type` is there).
#[test]
fn content_fields_are_read_without_mime_version() {
    let input = b"Subject: s\r\nContent-ID: <i@x>\r\nContent-Description: d\r\n\r\nbody\r\n";
    assert_eq!(
        structure(input),
        r#"("text" "plain" ("charset" "us-ascii") "<i@x>" "d" "7BIT" 6 1 NIL NIL NIL NIL)"#
    );
}

/// The line break before a delimiter line belongs to the delimiter (RFC
/// 2046 §5.1.1): a base64 `message/rfc822` part ends before it, in its
/// size, its line count and its section (Dovecot, reading the base64
/// lines as a header section, counts it in the part).
#[test]
fn encoded_message_part_ends_before_the_delimiter_line_break() {
    let input = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
        Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n\
        U3ViamVjdDogaW5uZXIKCmlubmVyIGJvZHkK\r\n--b--\r\n";
    assert_eq!(
        structure(input),
        concat!(
            r#"(("message" "rfc822" NIL NIL NIL "base64" 36 "#,
            "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ",
            r#"("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL) 0 "#,
            r#"NIL NIL NIL NIL) "mixed" ("boundary" "b") NIL NIL NIL)"#
        )
    );
    assert_eq!(
        section(input, &[1], None),
        b"U3ViamVjdDogaW5uZXIKCmlubmVyIGJvZHkK"
    );
    // Two base64 lines: one line break inside the part.
    let input = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
        Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n\
        U3ViamVjdDog\r\naW5uZXIKCmlubmVyIGJvZHkK\r\n--b--\r\n";
    assert!(structure(input).contains(r#""base64" 38 "#));
    assert!(structure(input).contains(") 1 NIL NIL NIL NIL)"));
}

/// A `message/rfc822` part whose content starts with a line that is not
/// a field: the nested message has an empty header section and that
/// content as its body, and the part ends before the delimiter's line
/// break (Dovecot reads the line as a header line and counts the line
/// break in the part).
#[test]
fn message_part_without_a_header_section() {
    let input = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
        Content-Type: message/rfc822\r\n\r\nnot a message\r\n--b--\r\n";
    assert_eq!(
        structure(input),
        concat!(
            r#"(("message" "rfc822" NIL NIL NIL "7BIT" 13 "#,
            "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ",
            r#"("text" "plain" ("charset" "us-ascii") NIL NIL "7BIT" 13 0 NIL NIL NIL NIL) 0 "#,
            r#"NIL NIL NIL NIL) "mixed" ("boundary" "b") NIL NIL NIL)"#
        )
    );
    assert_eq!(section(input, &[1], Some(SectionText::Header)), b"");
    assert_eq!(
        section(input, &[1], Some(SectionText::Text)),
        b"not a message"
    );
}

/// RFC 2231 continuations with both plain and extended pieces join into
/// one extended value, the plain pieces %-encoded: a space is no
/// `attribute-char` (RFC 2231 §7), so it is `%20` (Dovecot escapes only
/// `%` and leaves the space in the value).
#[test]
fn mixed_rfc2231_pieces_join_into_one_extended_value() {
    let input = b"Content-Type: image/gif; name*1=\"about \"; name*0=\"Book \";\r\n \
        name*2*=utf-8''%e2%98%95\r\n\r\nR0lG\r\n";
    assert_eq!(
        structure(input),
        r#"("image" "gif" ("name*" "''Book%20about%20utf-8''%e2%98%95") NIL NIL "7BIT" 6 NIL NIL NIL NIL)"#
    );
}

/// A line that is neither a field, a continuation nor blank ends the
/// header section of a nested message, and the body starts there
/// (Dovecot reads on to the blank line).
#[test]
fn nested_header_section_ends_at_a_line_that_is_not_a_field() {
    let input = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
        Content-Type: message/rfc822\r\n\r\n\
        Received: from a\r\n(using TLS)\r\nContent-Type: multipart/alternative\r\n\r\nbody\r\n--b--\r\n";
    assert_eq!(
        section(input, &[1], Some(SectionText::Header)),
        b"Received: from a\r\n"
    );
    assert_eq!(
        structure(input),
        concat!(
            r#"(("message" "rfc822" NIL NIL NIL "7BIT" 74 "#,
            "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ",
            r#"("text" "plain" ("charset" "us-ascii") NIL NIL "7BIT" 56 3 NIL NIL NIL NIL) 4 "#,
            r#"NIL NIL NIL NIL) "mixed" ("boundary" "b") NIL NIL NIL)"#
        )
    );
}
