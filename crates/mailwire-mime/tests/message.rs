//! The message parser: known answers from RFC 2046 and RFC 2049, nesting,
//! encoded nested messages, limits, and the shared corpus, each parsed
//! whole and streamed at several chunk sizes with the same result.

mod common;

use common::check;
use mailwire_mime::decode::{Event, MessageParser, PartKind};
use mailwire_mime::types::DefectKind;
use mailwire_mime::{Limits, Message};

/// The text of an RFC example: its indentation removed, CRLF line ends.
fn rfc(text: &str, indent: usize) -> Vec<u8> {
    text.lines()
        .map(|l| l.get(indent..).unwrap_or(""))
        .map(|l| format!("{l}\r\n"))
        .collect::<String>()
        .into_bytes()
}

fn kinds(defects: &[(usize, String)]) -> Vec<&str> {
    defects.iter().map(|(_, k)| k.as_str()).collect()
}

const RFC2046_5_1_1: &str = "     From: Nathaniel Borenstein <nsb@bellcore.com>
     To: Ned Freed <ned@innosoft.com>
     Date: Sun, 21 Mar 1993 23:56:48 -0800 (PST)
     Subject: Sample message
     MIME-Version: 1.0
     Content-type: multipart/mixed; boundary=\"simple boundary\"

     This is the preamble.  It is to be ignored, though it
     is a handy place for composition agents to include an
     explanatory note to non-MIME conformant readers.

     --simple boundary

     This is implicitly typed plain US-ASCII text.
     It does NOT end with a linebreak.
     --simple boundary
     Content-type: text/plain; charset=us-ascii

     This is explicitly typed plain US-ASCII text.
     It DOES end with a linebreak.

     --simple boundary--

     This is the epilogue.  It is also to be ignored.
";

#[test]
fn rfc2046_5_1_1_example() {
    let input = rfc(RFC2046_5_1_1, 5);
    let parts = check(&input, &Limits::default());
    assert_eq!(parts.len(), 3);
    assert_eq!(parts[0].kind, PartKind::Multipart);
    assert!(parts.iter().all(|p| p.defects.is_empty()), "{parts:#?}");
    assert_eq!(
        parts[1].decoded,
        b"This is implicitly typed plain US-ASCII text.\r\nIt does NOT end with a linebreak."
    );
    assert_eq!(
        parts[2].decoded,
        b"This is explicitly typed plain US-ASCII text.\r\nIt DOES end with a linebreak.\r\n"
    );
    let m = Message::parse(&input);
    let root = m.root();
    assert_eq!(
        root.preamble().unwrap(),
        b"This is the preamble.  It is to be ignored, though it\r\nis a handy place for composition agents to include an\r\nexplanatory note to non-MIME conformant readers.\r\n"
    );
    assert_eq!(
        root.epilogue().unwrap(),
        b"\r\nThis is the epilogue.  It is also to be ignored.\r\n"
    );
    assert_eq!(root.raw(), &input[..]);
    let children: Vec<_> = root.children().collect();
    assert_eq!(children[0].content_type().essence(), "text/plain");
    assert!(children[0].headers().is_empty());
    assert_eq!(children[1].content_type().charset(), Some("us-ascii"));
    assert_eq!(
        children[1].text().unwrap(),
        "This is explicitly typed plain US-ASCII text.\r\nIt DOES end with a linebreak.\r\n"
    );
    assert_eq!(
        children[1].raw(),
        b"Content-type: text/plain; charset=us-ascii\r\n\r\nThis is explicitly typed plain US-ASCII text.\r\nIt DOES end with a linebreak.\r\n"
    );
    // LF line ends: the same tree, with bare LF reported.
    let lf = String::from_utf8(input.clone())
        .unwrap()
        .replace("\r\n", "\n");
    let parts = check(lf.as_bytes(), &Limits::default());
    assert_eq!(parts.len(), 3);
    assert_eq!(kinds(&parts[0].defects), ["BareLf"]);
}

const RFC2049_A: &str = "     MIME-Version: 1.0
     From: Nathaniel Borenstein <nsb@nsb.fv.com>
     To: Ned Freed <ned@innosoft.com>
     Date: Fri, 07 Oct 1994 16:15:05 -0700 (PDT)
     Subject: A multipart example
     Content-Type: multipart/mixed;
                   boundary=unique-boundary-1

     This is the preamble area of a multipart message.
     Mail readers that understand multipart format
     should ignore this preamble.

     If you are reading this text, you might want to
     consider changing to a mail reader that understands
     how to properly display multipart messages.

     --unique-boundary-1

       ... Some text appears here ...

     [Note that the blank between the boundary and the start
      of the text in this part means no header fields were
      given and this is text in the US-ASCII character set.
      It could have been done with explicit typing as in the
      next part.]

     --unique-boundary-1
     Content-type: text/plain; charset=US-ASCII

     This could have been part of the previous part, but
     illustrates explicit versus implicit typing of body
     parts.

     --unique-boundary-1
     Content-Type: multipart/parallel; boundary=unique-boundary-2

     --unique-boundary-2
     Content-Type: audio/basic
     Content-Transfer-Encoding: base64

       ... base64-encoded 8000 Hz single-channel
           mu-law-format audio data goes here ...

     --unique-boundary-2
     Content-Type: image/jpeg
     Content-Transfer-Encoding: base64

       ... base64-encoded image data goes here ...

     --unique-boundary-2--

     --unique-boundary-1
     Content-type: text/enriched

     This is <bold><italic>enriched.</italic></bold>
     <smaller>as defined in RFC 1896</smaller>

     Isn't it
     <bigger><bigger>cool?</bigger></bigger>

     --unique-boundary-1
     Content-Type: message/rfc822

     From: (mailbox in US-ASCII)
     To: (address in US-ASCII)
     Subject: (subject in US-ASCII)
     Content-Type: Text/plain; charset=ISO-8859-1
     Content-Transfer-Encoding: Quoted-printable

       ... Additional text in ISO-8859-1 goes here ...

     --unique-boundary-1--
";

#[test]
fn rfc2049_appendix_a() {
    let input = rfc(RFC2049_A, 5);
    let parts = check(&input, &Limits::default());
    let shape: Vec<_> = parts
        .iter()
        .map(|p| (p.parent, p.depth, p.content_type.as_str()))
        .collect();
    assert_eq!(
        shape,
        [
            (None, 0, "multipart/mixed"),
            (Some(0), 1, "text/plain"),
            (Some(0), 1, "text/plain"),
            (Some(0), 1, "multipart/parallel"),
            (Some(3), 2, "audio/basic"),
            (Some(3), 2, "image/jpeg"),
            (Some(0), 1, "text/enriched"),
            (Some(0), 1, "message/rfc822"),
            (Some(7), 2, "text/plain"),
        ]
    );
    assert_eq!(parts[7].kind, PartKind::Message);
    // The placeholder text is no base64: its bad characters are reported.
    assert_eq!(kinds(&parts[4].defects)[0], "InvalidBase64Characters");
    assert_eq!(
        parts[8].decoded,
        b"  ... Additional text in ISO-8859-1 goes here ...\r\n"
    );
    assert_eq!(parts[3].epilogue.as_ref().map(|r| r.len()), Some(0));
    let m = Message::parse(&input);
    let nested = m.part(7).unwrap().message().unwrap();
    assert_eq!(
        nested.headers().get("subject").unwrap().unstructured(),
        "(subject in US-ASCII)"
    );
    assert_eq!(m.root().raw(), &input[..]);
    for part in m.parts() {
        let r = part.raw();
        assert!(input.windows(r.len()).any(|w| w == r));
    }
}

#[test]
fn encoded_nested_messages() {
    use base64::Engine as _;
    let inner = b"Subject: inner\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\r\nhello\r\n--x--\r\n";
    let b64 = base64::engine::general_purpose::STANDARD.encode(inner);
    let wrapped = format!(
        "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
        b64
    );
    let b64_2 = base64::engine::general_purpose::STANDARD.encode(&wrapped);
    let outer = format!(
        "Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n{b64_2}\r\n--o\r\n\r\nafter\r\n--o--\r\n"
    );
    let parts = check(outer.as_bytes(), &Limits::default());
    let shape: Vec<_> = parts
        .iter()
        .map(|p| (p.parent, p.layer, p.content_type.as_str()))
        .collect();
    assert_eq!(
        shape,
        [
            (None, 0, "multipart/mixed"),
            (Some(0), 0, "message/rfc822"),
            (Some(1), 1, "message/rfc822"),
            (Some(2), 2, "multipart/mixed"),
            (Some(3), 2, "text/plain"),
            (Some(0), 0, "text/plain"),
        ]
    );
    assert_eq!(parts[4].decoded, b"hello");
    assert_eq!(parts[5].decoded, b"after");
    let m = Message::parse(outer.as_bytes());
    let deepest = m.part(3).unwrap();
    assert_eq!(deepest.raw(), &inner[..]);
    assert_eq!(m.part(2).unwrap().raw(), wrapped.as_bytes());
    assert_eq!(
        m.part(3)
            .unwrap()
            .headers()
            .get("subject")
            .unwrap()
            .unstructured(),
        "inner"
    );
}

#[test]
fn structural_defects() {
    let limits = Limits::default();
    // Unterminated, and closed by the outer delimiter.
    let input = b"Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n--outer\r\nContent-Type: multipart/alternative; boundary=\"inner\"\r\n\r\n--inner\r\nContent-Type: text/plain\r\n\r\na\r\n--outer\r\nContent-Type: text/plain\r\n\r\nb\r\n--outer--\r\n";
    let parts = check(input, &limits);
    assert_eq!(parts.len(), 4);
    assert_eq!(kinds(&parts[1].defects), ["MissingCloseDelimiter"]);
    assert_eq!(parts[2].decoded, b"a");
    assert_eq!(parts[3].decoded, b"b");
    // A boundary never found: the body is the preamble.
    let parts = check(
        b"Content-Type: multipart/mixed; boundary=zz\r\n\r\nno parts\r\n",
        &limits,
    );
    assert_eq!(kinds(&parts[0].defects), ["BoundaryNotFound"]);
    assert_eq!(parts[0].preamble, Some(46..56));
    // No boundary parameter: one leaf.
    let parts = check(
        b"Content-Type: multipart/mixed\r\n\r\n--x\r\n\r\nbody\r\n",
        &limits,
    );
    assert_eq!(parts.len(), 1);
    assert_eq!(parts[0].kind, PartKind::Leaf);
    assert_eq!(kinds(&parts[0].defects), ["MissingBoundary"]);
    // Missing close delimiter at the end of input.
    let parts = check(
        b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nx",
        &limits,
    );
    assert_eq!(kinds(&parts[0].defects), ["MissingCloseDelimiter"]);
    assert_eq!(parts[1].decoded, b"x");
    // A header section cut by a delimiter.
    let parts = check(
        b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/html\r\n--b\r\n\r\ny\r\n--b--",
        &limits,
    );
    assert_eq!(parts.len(), 3);
    assert_eq!(parts[1].content_type, "text/html");
    assert_eq!(kinds(&parts[1].defects), ["MissingSeparator"]);
    assert!(parts[1].decoded.is_empty());
    assert_eq!(parts[2].decoded, b"y");
    // Delimiter rule: padding allowed, other text not.
    let parts = check(
        b"Content-Type: multipart/mixed; boundary=\"BND\"\r\n\r\n--BND\r\n\r\nvisit --BND for details\r\n--BNDX not a delimiter\r\n--BND \t\r\n\r\nsecond\r\n--BND--",
        &limits,
    );
    assert_eq!(parts.len(), 3);
    assert_eq!(
        parts[1].decoded,
        b"visit --BND for details\r\n--BNDX not a delimiter"
    );
    assert_eq!(parts[2].decoded, b"second");
    assert!(parts[0].defects.is_empty());
}

/// Parsed whole, streamed at the usual chunk sizes, and streamed in two
/// pieces split at every offset: the same parts.
fn check_every_split(input: &[u8]) -> Vec<common::PartSummary> {
    let limits = Limits::default();
    let whole = check(input, &limits);
    for at in 0..=input.len() {
        let (a, b) = input.split_at(at);
        assert_eq!(common::stream([a, b], &limits), whole, "split at {at}");
    }
    whole
}

#[test]
fn nested_header_section_leaves_its_line_break_to_the_delimiter() {
    // A nested message of one header field and no blank line, then the
    // delimiter: the CRLF before `--b` belongs to the delimiter (RFC 2046
    // §5.1.1), so the message part's body is the field without it.
    let input = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n\
        --b\r\nContent-Type: message/rfc822\r\n\r\nSubject: only a header\r\n--b--";
    let parts = check_every_split(input);
    assert_eq!(parts.len(), 3);
    let message = Message::parse(input);
    let part = message.part(1).unwrap();
    assert_eq!(part.kind(), PartKind::Message);
    assert_eq!(part.body_raw(), b"Subject: only a header");
    assert_eq!(part.body_raw().len(), 22);
    assert_eq!(memchr_count(part.body_raw(), b'\n'), 0);
    assert_eq!(&input[part.body_range().end..], b"\r\n--b--");
    // The nested message: its header section is that field, cut by the
    // delimiter; its body is empty, where the delimiter's line break starts.
    let nested = part.message().unwrap();
    assert_eq!(nested.info().start, part.body_range().start);
    assert_eq!(nested.header_raw(), b"Subject: only a header");
    assert_eq!(nested.body_range(), 104..104);
    assert_eq!(nested.raw(), part.body_raw());
    assert_eq!(
        nested.headers().get("subject").unwrap().unstructured(),
        "only a header"
    );
    assert_eq!(kinds(&parts[2].defects), ["MissingSeparator"]);
    assert_eq!(parts[2].defects[0].0, 104);
    assert!(parts[1].defects.is_empty());
    assert!(message.root().children().count() == 1);

    // A field, then the delimiter's CRLF: the line that looks blank is the
    // delimiter's, so the message part's body is `Subject: x\r\n`.
    let input = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n\
        --b\r\nContent-Type: message/rfc822\r\n\r\nSubject: x\r\n\r\n--b--";
    let parts = check_every_split(input);
    let message = Message::parse(input);
    let part = message.part(1).unwrap();
    assert_eq!(part.body_raw(), b"Subject: x\r\n");
    assert_eq!(part.body_raw().len(), 12);
    let nested = part.message().unwrap();
    assert_eq!(nested.info().start, 82);
    assert_eq!(nested.header_raw(), b"Subject: x\r\n");
    assert_eq!(nested.info().body_start, 94);
    assert_eq!(nested.body_range(), 94..94);
    assert_eq!(&input[94..], b"\r\n--b--");
    assert_eq!(parts[2].fields, [(b"Subject".to_vec(), b" x".to_vec())]);

    // With bare LFs, the LF alone goes to the delimiter.
    let input = b"Content-Type: multipart/mixed; boundary=b\n\n\
        --b\nContent-Type: message/rfc822\n\nSubject: x\n\n--b--\n";
    check_every_split(input);
    let message = Message::parse(input);
    assert_eq!(message.part(1).unwrap().body_raw(), b"Subject: x\n");

    // A blank line of its own before the delimiter's line break stays in
    // the nested message, and so does a line that only looks like a
    // delimiter.
    for (inner, body) in [
        (&b"Subject: x\r\n\r\n\r\n"[..], &b"Subject: x\r\n\r\n"[..]),
        (b"Subject: x\r\n\r\nbody\r\n", b"Subject: x\r\n\r\nbody"),
        (b"Subject: x\r\n--bx\r\n", b"Subject: x\r\n--bx"),
        (b"Subject: x\r\n\r\n--c\r\n", b"Subject: x\r\n\r\n--c"),
        (b"", b""),
    ] {
        let mut input =
            b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: message/rfc822\r\n\r\n"
                .to_vec();
        input.extend_from_slice(inner);
        input.extend_from_slice(b"--b\r\n\r\nnext\r\n--b--\r\n");
        let parts = check_every_split(&input);
        let message = Message::parse(&input);
        let part = message.part(1).unwrap();
        assert_eq!(
            part.body_raw(),
            body,
            "{:?}",
            String::from_utf8_lossy(inner)
        );
        assert_eq!(parts.last().unwrap().decoded, b"next");
    }
    // The nested message's blank line of its own ends its header section.
    let input = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: x\r\n\r\n\r\n--b--";
    let message = Message::parse(input);
    let nested = message.part(2).unwrap();
    assert_eq!(nested.header_raw(), b"Subject: x\r\n\r\n");
    assert!(nested.defects().is_empty());

    // A message part directly in a message part, then the delimiter.
    let input = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nContent-Type: message/rfc822\r\n\r\nSubject: x\r\n--b--";
    let parts = check_every_split(input);
    assert_eq!(parts.len(), 4);
    assert_eq!(
        &input[parts[1].body.clone()],
        b"Content-Type: message/rfc822\r\n\r\nSubject: x"
    );
    assert_eq!(&input[parts[2].body.clone()], b"Subject: x");
    assert_eq!(parts[3].body, 124..124);
}

fn memchr_count(data: &[u8], byte: u8) -> usize {
    data.iter().filter(|&&b| b == byte).count()
}

#[test]
fn body_line_defects() {
    let mut limits = Limits::default();
    limits.line_length = 10;
    let parts = check(
        b"Subject: x\r\n\r\nshort\r\nthis line is too long\r\nbare\nlf\r\ncr\rhere",
        &limits,
    );
    assert_eq!(
        parts[0].defects,
        [
            (43, "LineTooLong { limit: 10 }".to_string()),
            (48, "BareLf".to_string()),
            (55, "BareCr".to_string()),
        ]
    );
}

#[test]
fn digest_defaults_to_messages() {
    let input = b"Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: one\r\n\r\nfirst\r\n--d\r\nContent-Type: text/plain\r\n\r\nplain\r\n--d--\r\n";
    let parts = check(input, &Limits::default());
    assert_eq!(parts[1].content_type, "message/rfc822");
    assert_eq!(parts[1].kind, PartKind::Message);
    assert_eq!(parts[2].fields[0].1, b" one");
    assert_eq!(parts[2].decoded, b"first");
    assert_eq!(parts[3].content_type, "text/plain");
}

#[test]
fn limits_are_reported() {
    let mut limits = Limits::default();
    limits.part_count = 3;
    let input = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n1\r\n--b\r\n\r\n2\r\n--b\r\n\r\n3\r\n--b--\r\n";
    let parts = check(input, &limits);
    assert_eq!(parts.len(), 3);
    assert_eq!(kinds(&parts[0].defects), ["TooManyParts { limit: 3 }"]);
    let m = Message::parse_with(input, &limits);
    assert_eq!(
        m.root().epilogue().unwrap(),
        b"\r\n--b\r\n\r\n3\r\n--b--\r\n"
    );
    assert_eq!(m.root().raw(), &input[..]);

    let mut limits = Limits::default();
    limits.max_depth = 1;
    let input = b"Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b--\r\n--a--\r\n";
    let parts = check(input, &limits);
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[1].kind, PartKind::Leaf);
    assert_eq!(kinds(&parts[1].defects), ["TooDeep { limit: 1 }"]);
    assert_eq!(parts[1].decoded, b"--b\r\n\r\nx\r\n--b--");

    let mut limits = Limits::default();
    limits.header_count = 1;
    let parts = check(b"A: 1\r\nB: 2\r\n\r\nbody", &limits);
    assert_eq!(kinds(&parts[0].defects), ["TooManyHeaders { limit: 1 }"]);
    assert_eq!(parts[0].decoded, b"B: 2\r\n\r\nbody");
}

#[test]
fn deep_nesting_finishes_fast() {
    let depth = 100_000;
    let mut input = Vec::new();
    for i in 0..depth {
        input.extend_from_slice(
            format!("Content-Type: multipart/mixed; boundary=b{i}\r\n\r\n--b{i}\r\n").as_bytes(),
        );
    }
    input.extend_from_slice(b"\r\ncore\r\n");
    let start = std::time::Instant::now();
    let m = Message::parse(&input);
    assert_eq!(m.parts().len(), 51);
    let last = m.part(50).unwrap();
    assert_eq!(last.kind(), PartKind::Leaf);
    assert!(
        last.defects()
            .iter()
            .any(|d| d.kind == DefectKind::TooDeep { limit: 50 })
    );
    assert_eq!(m.root().raw(), &input[..]);
    // And streamed in small chunks.
    let parts = common::stream(input.chunks(4096), &Limits::default());
    assert_eq!(parts.len(), 51);
    assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
    // Nested message parts too.
    let mut input = Vec::new();
    for _ in 0..depth {
        input.extend_from_slice(b"Content-Type: message/rfc822\r\n\r\n");
    }
    let m = Message::parse(&input);
    assert_eq!(m.parts().len(), 51);
}

fn corpus_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/mime")
}

/// The input with every line ending made CRLF, or made LF.
fn line_ends(input: &[u8], crlf: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() + input.len() / 20);
    for (i, &b) in input.iter().enumerate() {
        if b == b'\n' {
            let has_cr = i > 0 && input[i - 1] == b'\r';
            if crlf && !has_cr {
                out.push(b'\r');
            } else if !crlf && has_cr {
                out.pop();
            }
        }
        out.push(b);
    }
    out
}

/// Every corpus message, as stored and with CRLF and with LF line ends,
/// parses whole and streamed at chunk sizes 1, 7 and 64 KiB to the same
/// tree, bodies and defects; the message and each part are written back
/// byte for byte.
#[test]
fn corpus_whole_and_streaming_agree() {
    let dir = corpus_dir();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!("corpus not found at {}: skipped", dir.display());
        return;
    };
    let limits = Limits::default();
    let mut count = 0;
    let mut total_parts = 0;
    for entry in entries {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "eml") {
            continue;
        }
        let original = std::fs::read(&path).unwrap();
        for input in [
            original.clone(),
            line_ends(&original, true),
            line_ends(&original, false),
        ] {
            let w = std::panic::catch_unwind(|| check(&input, &limits))
                .unwrap_or_else(|_| panic!("{}", path.display()));
            total_parts += w.len();
            let m = Message::parse(&input);
            assert_eq!(m.root().raw(), &input[..], "{}", path.display());
            for part in m.parts() {
                if part.info().layer == 0 {
                    let r = part.info().start..part.body_range().end;
                    assert_eq!(part.raw(), &input[r], "{}", path.display());
                }
                let _ = part.text();
            }
        }
        count += 1;
    }
    assert!(count > 100, "only {count} messages");
    println!("{count} messages, {total_parts} parts");
}

#[test]
fn corpus_spot_checks() {
    let dir = corpus_dir();
    let read = |name: &str| std::fs::read(dir.join(name));
    let Ok(input) = read("regressions-nested-encoded-message.eml") else {
        println!("corpus not found: skipped");
        return;
    };
    let m = Message::parse(&input);
    let nested = m.part(1).unwrap();
    assert!(matches!(nested.kind(), PartKind::EncodedMessage { .. }));
    let inner = nested.message().unwrap();
    assert_eq!(
        inner.headers().get("subject").unwrap().unstructured(),
        "inner"
    );
    assert_eq!(inner.text().unwrap(), "inner body\n");
    assert_eq!(m.part(3).unwrap().text().unwrap(), "after");

    let input = read("regressions-inner-multipart-closed-by-outer.eml").unwrap();
    let m = Message::parse(&input);
    let texts: Vec<_> = m
        .parts()
        .filter_map(|p| p.text().map(|t| t.into_owned()))
        .collect();
    assert_eq!(texts, ["a", "b"]);
    assert!(
        m.part(1)
            .unwrap()
            .defects()
            .iter()
            .any(|d| d.kind == DefectKind::MissingCloseDelimiter)
    );

    let input = read("regressions-close-delimiter-mid-line.eml").unwrap();
    let m = Message::parse(&input);
    assert_eq!(m.parts().len(), 1);
    // The close delimiter at the start of a line closes it, with no part.
    assert_eq!(m.root().preamble(), Some(&b"text--b--\nmore"[..]));
    assert_eq!(m.root().epilogue(), Some(&b""[..]));
}

/// A large message streamed in 64 KiB chunks, generated on the fly: the
/// parser holds a few bytes between chunks whatever the size, also inside
/// a base64-encoded nested message.
#[test]
fn large_message_streams_in_bounded_memory() {
    use base64::Engine as _;
    use mailwire_mime::decode::{Event, MessageParser};
    let line = [b'A'; 76];
    let head = b"Subject: big\r\nContent-Type: multipart/mixed; boundary=\"zz\"\r\n\r\n--zz\r\n\
        Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n";
    let inner = {
        let mut m = b"Content-Type: multipart/mixed; boundary=in\r\n\r\n--in\r\n\r\n".to_vec();
        for _ in 0..20_000 {
            m.extend_from_slice(&line);
            m.extend_from_slice(b"\r\n");
        }
        m.extend_from_slice(b"--in--\r\n");
        m
    };
    let encoded = base64::engine::general_purpose::STANDARD.encode(&inner);
    let mut nested =
        b"\r\n--zz\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            .to_vec();
    for c in encoded.as_bytes().chunks(76) {
        nested.extend_from_slice(c);
        nested.extend_from_slice(b"\r\n");
    }
    nested.extend_from_slice(b"--zz--\r\n");

    let mut parser = MessageParser::new(&Limits::default()).decode_bodies(true);
    let mut decoded = [0usize; 8];
    let mut parts = 0;
    let mut sink = |e: Event<'_>| match e {
        Event::Body { part, data, .. } => decoded[part.min(7)] += data.len(),
        Event::PartStart { .. } => parts += 1,
        _ => {}
    };
    parser.push(head, &mut sink);
    let mut chunk = Vec::with_capacity(65536);
    let lines = 300_000; // 23 MB of base64
    for i in 0..lines {
        chunk.extend_from_slice(&line);
        chunk.extend_from_slice(b"\r\n");
        if chunk.len() > 65_536 - 78 || i == lines - 1 {
            parser.push(&chunk, &mut sink);
            assert!(parser.buffered() < 16, "{}", parser.buffered());
            chunk.clear();
        }
    }
    for c in nested.chunks(65536) {
        parser.push(c, &mut sink);
        assert!(parser.buffered() < 200, "{}", parser.buffered());
    }
    parser.finish(&mut sink);
    assert_eq!(parts, 5);
    assert_eq!(decoded[1], lines * 57);
    assert_eq!(decoded[2], inner.len());
    assert_eq!(decoded[4], 20_000 * 78 - 2);
}

#[test]
fn part_start_carries_the_declared_charset() {
    // The push parser's PartStart gives the Content-Type with its
    // parameters: the charset the tree's `Part::text` decodes with.
    let input = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n\
        --b\r\nContent-Type: text/plain; charset=\"ISO-8859-1\"\r\n\
        Content-Transfer-Encoding: quoted-printable\r\n\r\ncaf=E9\r\n\
        --b\r\nContent-Type: text/html; charset*=utf-8''koi8-r\r\n\r\n\xf0\xd2\xc9\r\n\
        --b\r\nContent-Type: text/plain\r\n\r\nplain\r\n\
        --b\r\nContent-Type: application/octet-stream; charset=utf-8\r\n\r\nx\r\n--b--\r\n";
    let mut streamed = Vec::new();
    let mut parser = MessageParser::new(&Limits::default());
    let mut sink = |e: Event<'_>| {
        if let Event::PartStart { info, .. } = e {
            streamed.push((
                info.content_type.essence(),
                info.content_type.charset().map(str::to_owned),
            ));
        }
    };
    for chunk in input.chunks(3) {
        parser.push(chunk, &mut sink);
    }
    parser.finish(&mut sink);
    let charset = |s: &str| Some(s.to_owned());
    assert_eq!(
        streamed,
        [
            ("multipart/mixed".to_owned(), None),
            ("text/plain".to_owned(), charset("ISO-8859-1")),
            ("text/html".to_owned(), charset("koi8-r")),
            // RFC 2045 §5.2's default for text.
            ("text/plain".to_owned(), charset("us-ascii")),
            ("application/octet-stream".to_owned(), charset("utf-8")),
        ]
    );
    let message = Message::parse(input);
    let texts: Vec<_> = message
        .parts()
        .filter_map(|p| p.text().map(|t| t.into_owned()))
        .collect();
    assert_eq!(texts, ["café", "При", "plain"]);
    for (part, (_, cs)) in message.parts().zip(&streamed) {
        assert_eq!(part.content_type().charset(), cs.as_deref());
    }
}
