//! The writer's rules, one test each: layout, headers, parameters, bodies,
//! boundaries, output, errors. Every message is read back by the decoder.

use std::io::Read;

use mailwire_mime::Message;
use mailwire_mime::build::{
    AddressGroup, BuildError, EmailAddress, MediaType, MessageBuilder, MsgId, Options, Part, Stamp,
};
use mailwire_mime::decode::PartKind;
use mailwire_mime::types::{Address, DateTime, HeaderName};

fn stamp() -> Stamp {
    Stamp::new(
        DateTime::new(2024, 2, 29, 23, 59, 58, Some(-300)).unwrap(),
        "example.net",
        99,
    )
    .unwrap()
}

fn addr(s: &str) -> EmailAddress {
    s.parse().unwrap()
}

/// Lines end in CRLF only; none over 998 octets; header lines over 78 only
/// when a single word needs it.
fn check_lines(bytes: &[u8]) {
    let mut i = 0;
    let mut line_start = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' => {
                assert_eq!(bytes.get(i + 1), Some(&b'\n'), "bare CR at {i}");
                assert!(i - line_start <= 998, "line over 998 at {line_start}");
                i += 2;
                line_start = i;
                continue;
            }
            b'\n' => panic!("bare LF at {i}"),
            _ => {}
        }
        i += 1;
    }
    assert!(bytes.len() - line_start <= 998);
}

fn header_lines(bytes: &[u8]) -> Vec<String> {
    let end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end])
        .split("\r\n")
        .map(str::to_owned)
        .collect()
}

fn build(b: MessageBuilder) -> Vec<u8> {
    let out = b.stamp(stamp()).to_vec(&Options::default()).unwrap();
    check_lines(&out);
    out
}

#[test]
fn layout_plain_text() {
    let out = build(
        MessageBuilder::new()
            .from(addr("a@x.org"))
            .text("hello\nworld"),
    );
    let m = Message::parse(&out);
    assert_eq!(m.root().content_type().essence(), "text/plain");
    assert_eq!(m.root().text().unwrap(), "hello\r\nworld");
    assert_eq!(m.parts().len(), 1);
    assert!(m.defects().next().is_none());
}

#[test]
fn layout_alternative_related_mixed() {
    let out = build(
        MessageBuilder::new()
            .from(addr("a@x.org"))
            .text("t")
            .html("<img src=\"cid:logo@x\">")
            .inline(
                MsgId::new("logo@x").unwrap(),
                MediaType::parse("image/gif").unwrap(),
                b"GIF89a\x00\x01".to_vec(),
            )
            .attach("r.pdf", None, b"%PDF-1.4\n\xff".to_vec()),
    );
    let m = Message::parse(&out);
    let types: Vec<String> = m.parts().map(|p| p.content_type().essence()).collect();
    assert_eq!(
        types,
        [
            "multipart/mixed",
            "multipart/alternative",
            "text/plain",
            "multipart/related",
            "text/html",
            "image/gif",
            "application/pdf"
        ]
    );
    let gif = m.part(5).unwrap();
    assert_eq!(
        gif.headers().get("content-id").unwrap().message_ids()[0].as_str(),
        "logo@x"
    );
    assert_eq!(&gif.decoded_bytes()[..], b"GIF89a\x00\x01");
    let pdf = m.part(6).unwrap();
    assert!(pdf.disposition().unwrap().is_attachment());
    assert_eq!(pdf.filename(), Some("r.pdf"));
    assert_eq!(&pdf.decoded_bytes()[..], b"%PDF-1.4\n\xff");
    assert!(m.defects().next().is_none());
}

#[test]
fn layout_html_only_and_attachments_only() {
    let out = build(MessageBuilder::new().html("<p>x</p>"));
    assert_eq!(
        Message::parse(&out).root().content_type().essence(),
        "text/html"
    );
    let out = build(MessageBuilder::new().attach("a.bin", None, vec![1u8, 2]));
    let m = Message::parse(&out);
    assert_eq!(m.root().content_type().essence(), "multipart/mixed");
    assert_eq!(m.parts().len(), 2);
}

#[test]
fn forwarded_message_nests() {
    let inner = MessageBuilder::new()
        .from(addr("orig@x.org"))
        .subject("Original ünïcode")
        .text("inner text")
        .attach("in.bin", None, vec![0u8; 100])
        .stamp(stamp())
        .build()
        .unwrap();
    let out = build(
        MessageBuilder::new()
            .from(addr("fwd@x.org"))
            .text("see below")
            .forward(inner)
            .attach_part(Part::raw_message(
                b"Subject: raw\nFrom: r@x.org\n\nraw body\n".to_vec(),
            )),
    );
    let m = Message::parse(&out);
    let fwd = m.part(2).unwrap();
    assert_eq!(fwd.content_type().essence(), "message/rfc822");
    assert_eq!(fwd.kind(), PartKind::Message);
    let nested = fwd.message().unwrap();
    assert_eq!(
        nested.headers().get("subject").unwrap().unstructured(),
        "Original ünïcode"
    );
    let kids: Vec<_> = nested.children().collect();
    assert_eq!(kids[0].text().unwrap(), "inner text");
    assert_eq!(&kids[1].decoded_bytes()[..], &[0u8; 100][..]);
    let raw = m
        .parts()
        .find(|p| p.content_type().is("message", "rfc822") && p.id() != 2);
    let raw = raw.unwrap().message().unwrap();
    assert_eq!(raw.headers().get("subject").unwrap().unstructured(), "raw");
    assert_eq!(raw.text().unwrap(), "raw body\r\n");
}

#[test]
fn date_and_message_id_from_the_stamp() {
    let out = build(MessageBuilder::new().from(addr("a@x.org")).text("x"));
    let h = header_lines(&out);
    assert_eq!(h[0], "Date: Thu, 29 Feb 2024 23:59:58 -0500");
    assert!(
        h.iter()
            .any(|l| l == "Message-ID: <s9nkjy.0000000000000063@example.net>"),
        "{h:?}"
    );
    // Reproducible: same stamp, same bytes.
    let again = build(MessageBuilder::new().from(addr("a@x.org")).text("x"));
    assert_eq!(out, again);
    // Without a stamp: the system clock, the From domain.
    let out = MessageBuilder::new()
        .from(addr("a@mail.example.com"))
        .text("x")
        .to_vec(&Options::default())
        .unwrap();
    let m = Message::parse(&out);
    let h = m.root().headers();
    let id = &h.get("message-id").unwrap().message_ids()[0];
    assert_eq!(id.right(), Some("mail.example.com"));
    assert!(h.get("date").unwrap().date_time().unwrap().year() >= 2024);
    // Caller-given values win.
    let out = build(
        MessageBuilder::new()
            .message_id(MsgId::new("<mine@here>").unwrap())
            .date(DateTime::new(2001, 1, 1, 0, 0, 0, None).unwrap())
            .in_reply_to(MsgId::new("p@x").unwrap())
            .references(MsgId::new("q@x").unwrap())
            .references(MsgId::new("p@x").unwrap()),
    );
    let h = header_lines(&out);
    assert!(h.contains(&"Date: Mon, 01 Jan 2001 00:00:00 -0000".to_owned()));
    assert!(h.contains(&"Message-ID: <mine@here>".to_owned()));
    assert!(h.contains(&"References: <q@x> <p@x>".to_owned()));
}

#[test]
fn display_names_quoted_or_encoded() {
    let out = build(
        MessageBuilder::new()
            .from(addr("Joe Q. Public <jqp@x.org>"))
            .to(addr("\"Doe, John \\\"JD\\\"\" <jd@x.org>"))
            .to(EmailAddress::new(Some("Zoë Ångström"), "z@x.org").unwrap())
            .cc(EmailAddress::new(Some("plain name"), "p@x.org").unwrap())
            .cc(EmailAddress::new(Some("=?utf-8?q?not_a_word?="), "w@x.org").unwrap())
            .cc(EmailAddress::new(None, "\"with space\"@x.org").unwrap()),
    );
    let h = header_lines(&out);
    assert!(
        h.contains(&"From: \"Joe Q. Public\" <jqp@x.org>".to_owned()),
        "{h:?}"
    );
    let m = Message::parse(&out);
    let hs = m.root().headers();
    let names = |field: &str| -> Vec<(Option<String>, String)> {
        let (list, defects) = hs.get(field).unwrap().addresses();
        assert!(defects.is_empty(), "{field}: {defects:?}");
        list.iter()
            .flat_map(|a| a.mailboxes().to_vec())
            .map(|m| (m.name.clone(), m.addr_spec()))
            .collect()
    };
    assert_eq!(
        names("to"),
        [
            (Some("Doe, John \"JD\"".into()), "jd@x.org".into()),
            (Some("Zoë Ångström".into()), "z@x.org".into())
        ]
    );
    assert_eq!(
        names("cc"),
        [
            (Some("plain name".into()), "p@x.org".into()),
            (Some("=?utf-8?q?not_a_word?=".into()), "w@x.org".into()),
            (None, "\"with space\"@x.org".into())
        ]
    );
    assert!(
        h.iter()
            .any(|l| l.starts_with("To: \"Doe, John \\\"JD\\\"\" <jd@x.org>,"))
    );
    assert!(h.iter().any(|l| l.contains("=?utf-8?")));
}

#[test]
fn long_display_name_words_stay_within_limits() {
    let word = "w".repeat(1200);
    let quoted = "\"".repeat(60);
    let out = build(
        MessageBuilder::new()
            .from(EmailAddress::new(Some(&word), "a@x.org").unwrap())
            .to(EmailAddress::new(Some(&format!("x {quoted} y")), "b@x.org").unwrap())
            .to(AddressGroup::new(&word, vec![]).unwrap()),
    );
    for l in header_lines(&out) {
        assert!(l.len() <= 78, "{l}");
    }
    let m = Message::parse(&out);
    let (from, _) = m.root().headers().get("from").unwrap().addresses();
    assert_eq!(from[0].mailboxes()[0].name.as_deref(), Some(&word[..]));
    let (to, _) = m.root().headers().get("to").unwrap().addresses();
    assert_eq!(
        to[0].mailboxes()[0].name.as_deref(),
        Some(&format!("x {quoted} y")[..])
    );
    match &to[1] {
        Address::Group(g) => assert_eq!(g.name, word),
        other => panic!("{other:?}"),
    }
}

#[test]
fn groups() {
    let team = AddressGroup::new("Team A", vec![addr("a@x.org"), addr("B <b@x.org>")]).unwrap();
    let empty = AddressGroup::new("undisclosed-recipients", vec![]).unwrap();
    let out = build(MessageBuilder::new().to(team).cc(empty));
    let h = header_lines(&out);
    assert!(
        h.contains(&"To: \"Team A\": a@x.org, B <b@x.org>;".to_owned())
            || h.contains(&"To: Team A: a@x.org, B <b@x.org>;".to_owned()),
        "{h:?}"
    );
    assert!(
        h.contains(&"Cc: undisclosed-recipients:;".to_owned()),
        "{h:?}"
    );
    let m = Message::parse(&out);
    let (to, _) = m.root().headers().get("to").unwrap().addresses();
    match &to[0] {
        Address::Group(g) => {
            assert_eq!(g.name, "Team A");
            assert_eq!(g.members.len(), 2);
        }
        other => panic!("{other:?}"),
    }
    assert!(AddressGroup::new("  ", vec![]).is_err());
}

#[test]
fn long_address_lists_fold_at_78() {
    let mut b = MessageBuilder::new();
    for i in 0..40 {
        b = b.to(EmailAddress::new(
            Some(&format!("Person Number {i}")),
            &format!("p{i}@example.org"),
        )
        .unwrap());
    }
    let out = build(b);
    for l in header_lines(&out) {
        assert!(l.len() <= 78, "{l}");
    }
    let m = Message::parse(&out);
    let (to, d) = m.root().headers().get("to").unwrap().addresses();
    assert!(d.is_empty());
    assert_eq!(to.len(), 40);
    assert_eq!(
        to[39].mailboxes()[0].name.as_deref(),
        Some("Person Number 39")
    );
}

#[test]
fn encoded_words_at_most_75_never_split_characters() {
    let subject = "日本語のテキスト😀".repeat(12) + " and ascii " + &"é".repeat(80);
    let out = build(MessageBuilder::new().subject(subject.clone()));
    for l in header_lines(&out) {
        assert!(l.len() <= 78, "{l}");
        for w in l.split(' ').filter(|w| w.starts_with("=?")) {
            assert!(w.len() <= 75, "{w}");
            // Each word decodes on its own to whole characters.
            let decoded = mailwire_mime::decode::unstructured(w.as_bytes());
            assert!(!decoded.contains('\u{fffd}'), "{w}");
        }
    }
    let m = Message::parse(&out);
    assert_eq!(
        m.root().headers().get("subject").unwrap().unstructured(),
        subject
    );
}

#[test]
fn utf8_headers_when_chosen() {
    let opts = Options::default().with_utf8_headers(true);
    let out = MessageBuilder::new()
        .from(EmailAddress::new(Some("Zoë"), "zoë@exämple.org").unwrap())
        .subject("Grüße")
        .text("x")
        .stamp(stamp())
        .to_vec(&opts)
        .unwrap();
    check_lines(&out);
    let h = header_lines(&out);
    assert!(
        h.contains(&"From: Zoë <zoë@exämple.org>".to_owned()),
        "{h:?}"
    );
    assert!(h.contains(&"Subject: Grüße".to_owned()));
    // Without the option, such an address cannot be written.
    let err = MessageBuilder::new()
        .from(EmailAddress::new(None, "zoë@exämple.org").unwrap())
        .stamp(stamp())
        .to_vec(&Options::default())
        .unwrap_err();
    assert!(matches!(err, BuildError::Utf8Address));
}

#[test]
fn parameters_rfc2231_when_non_ascii_or_long() {
    let long = "a quite long file name that will not fit on a single header line at all.txt";
    let out = build(
        MessageBuilder::new()
            .attach("naïve résumé.pdf", None, vec![1u8])
            .attach(long, None, vec![2u8])
            .attach("plain.txt", None, b"x".to_vec())
            .attach("with \"quotes\" and =?x?=.bin", None, vec![3u8]),
    );
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains("filename*=utf-8''na%C3%AFve%20r%C3%A9sum%C3%A9.pdf"));
    assert!(text.contains("filename*0*=utf-8''"));
    assert!(text.contains("filename=plain.txt"));
    let m = Message::parse(&out);
    let names: Vec<_> = m.parts().filter_map(|p| p.filename()).collect();
    assert_eq!(
        names,
        [
            "naïve résumé.pdf",
            long,
            "plain.txt",
            "with \"quotes\" and =?x?=.bin"
        ]
    );
    for l in text.split("\r\n") {
        assert!(l.len() <= 78, "{l}");
    }
    let mt = MediaType::parse("text/x-custom")
        .unwrap()
        .param("title", "Ünïcödé title")
        .unwrap();
    let out = Part::text_as(mt, "x").to_vec(&Options::default()).unwrap();
    let m = Message::parse(&out);
    assert_eq!(
        m.root().content_type().parameters.get("title"),
        Some("Ünïcödé title")
    );
    assert_eq!(m.root().content_type().charset(), Some("utf-8"));
}

#[test]
fn no_line_break_enters_a_header() {
    assert!(HeaderName::new("X-A\r\nBcc").is_err());
    assert!(EmailAddress::new(Some("x"), "a\r\n@x.org").is_err());
    assert!(EmailAddress::new(None, "a@x.org\r\nBcc: y@z").is_err());
    assert!(
        "a@x.org\r\nBcc: evil@x.org"
            .parse::<EmailAddress>()
            .is_err()
    );
    assert!(MsgId::new("a@b\r\nX: y").is_err());
    assert!(MediaType::parse("text/plain\r\nX: y").is_err());
    assert!(
        Stamp::new(
            DateTime::new(2024, 1, 1, 0, 0, 0, None).unwrap(),
            "x\r\ny",
            1
        )
        .is_err()
    );
    // Text and display names take anything, in encoded words.
    let out = build(
        MessageBuilder::new()
            .from(EmailAddress::new(Some("Evil\r\nBcc: x@y.z"), "e@x.org").unwrap())
            .subject("line\r\nBcc: injected@x.org")
            .header(HeaderName::new("X-Note").unwrap(), "a\nb\rc")
            .attach("f\r\nX-Injected: 1", None, vec![0u8])
            .text("body"),
    );
    let m = Message::parse(&out);
    for p in m.parts() {
        let h = p.headers();
        assert!(h.get("bcc").is_none());
        assert!(h.get("x-injected").is_none());
    }
    let h = m.root().headers();
    assert_eq!(
        h.get("subject").unwrap().unstructured(),
        "line\r\nBcc: injected@x.org"
    );
    assert_eq!(h.get("x-note").unwrap().unstructured(), "a\nb\rc");
    let (from, _) = h.get("from").unwrap().addresses();
    assert_eq!(
        from[0].mailboxes()[0].name.as_deref(),
        Some("Evil\r\nBcc: x@y.z")
    );
    assert_eq!(m.part(2).unwrap().filename(), Some("f\r\nX-Injected: 1"));
}

#[test]
fn transfer_encoding_choice() {
    let cte = |p: Part, o: &Options| {
        let out = p.to_vec(o).unwrap();
        check_lines(&out);
        let m = Message::parse(&out);
        let cte = m.root().transfer_encoding().as_str().to_owned();
        (cte, m.root().decoded_bytes().into_owned())
    };
    let plain = Options::default();
    let eight = Options::default().with_8bit(true);
    assert_eq!(cte(Part::text("ascii\nonly"), &plain).0, "7bit");
    assert_eq!(
        cte(Part::text("un café au lait"), &plain).0,
        "quoted-printable"
    );
    assert_eq!(cte(Part::text("un café au lait"), &eight).0, "8bit");
    assert_eq!(cte(Part::text("日本語のテキスト"), &plain).0, "base64");
    let long = "x".repeat(2000);
    let (c, body) = cte(Part::text(long.clone()), &eight);
    assert_eq!(c, "quoted-printable");
    assert_eq!(body, long.as_bytes());
    assert_eq!(cte(Part::text("nul\0byte"), &eight).0, "quoted-printable");
    let bin = MediaType::octet_stream();
    assert_eq!(
        cte(Part::bytes(bin.clone(), b"a\r\nb".to_vec()), &plain).0,
        "7bit"
    );
    let (c, body) = cte(Part::bytes(bin.clone(), b"a\nb\r".to_vec()), &plain);
    assert_eq!((c.as_str(), &body[..]), ("base64", &b"a\nb\r"[..]));
    assert_eq!(
        cte(Part::bytes(bin.clone(), vec![0xffu8; 3]), &eight).0,
        "8bit"
    );
    assert_eq!(cte(Part::bytes(bin, vec![0u8; 3]), &eight).0, "base64");
}

#[test]
fn multipart_with_8bit_parts_is_labelled_8bit() {
    let p = Part::multipart("mixed", vec![Part::text("é")]).unwrap();
    let out = p.to_vec(&Options::default().with_8bit(true)).unwrap();
    let m = Message::parse(&out);
    assert_eq!(m.root().transfer_encoding().as_str(), "8bit");
    assert_eq!(m.part(1).unwrap().text().unwrap(), "é");
}

#[test]
fn text_line_endings_become_crlf() {
    let out = Part::text("a\nb\rc\r\nd")
        .to_vec(&Options::default())
        .unwrap();
    check_lines(&out);
    assert_eq!(
        Message::parse(&out).root().text().unwrap(),
        "a\r\nb\r\nc\r\nd"
    );
}

#[test]
fn boundaries_never_occur_in_content() {
    // Content made of the boundaries the writer would choose first.
    let first = Part::multipart("mixed", vec![Part::text("x")])
        .unwrap()
        .to_vec(&Options::default())
        .unwrap();
    let m = Message::parse(&first);
    let b = m.root().content_type().boundary().unwrap().to_owned();
    let evil = format!("--{b}\n--{b}--\nContent-Type: text/html\n\n--{b}");
    let out = Part::multipart(
        "mixed",
        vec![
            Part::text(evil.clone()),
            Part::bytes(
                MediaType::octet_stream(),
                evil.replace('\n', "\r\n").into_bytes(),
            ),
            Part::raw_message(format!("Subject: s\n\n{evil}").into_bytes()),
        ],
    )
    .unwrap()
    .to_vec(&Options::default())
    .unwrap();
    check_lines(&out);
    let m = Message::parse(&out);
    assert_ne!(m.root().content_type().boundary().unwrap(), b);
    let kids: Vec<_> = m.root().children().collect();
    assert_eq!(kids.len(), 3);
    assert_eq!(kids[0].text().unwrap(), evil.replace('\n', "\r\n"));
    assert_eq!(kids[0].transfer_encoding().as_str(), "7bit");
    assert_eq!(
        kids[1].decoded_bytes(),
        evil.replace('\n', "\r\n").as_bytes()
    );
    assert!(
        m.defects().next().is_none(),
        "{:?}",
        m.defects().collect::<Vec<_>>()
    );
}

/// Yields `len` pseudo-random octets in small reads, counting them.
struct Source {
    left: usize,
    x: u64,
}

impl Read for Source {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.left).min(1000);
        for b in &mut buf[..n] {
            self.x = self
                .x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            *b = (self.x >> 56) as u8;
        }
        self.left -= n;
        Ok(n)
    }
}

fn source_bytes(len: usize) -> Vec<u8> {
    let mut v = Vec::new();
    Source { left: len, x: 1 }.read_to_end(&mut v).unwrap();
    v
}

/// Counts what is written, and keeps it.
struct Counting {
    out: Vec<u8>,
    writes: usize,
}

impl std::io::Write for Counting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writes += 1;
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn attachments_stream_from_readers_to_writers() {
    let len = 3 * 1024 * 1024 + 17;
    let mut w = Counting {
        out: Vec::new(),
        writes: 0,
    };
    MessageBuilder::new()
        .from(addr("a@x.org"))
        .text("big one attached")
        .attach_reader("big.bin", None, Source { left: len, x: 1 })
        .stamp(stamp())
        .write_to(&Options::default(), &mut w)
        .unwrap();
    // Written in many small pieces, not one buffer.
    assert!(w.writes > 100, "{}", w.writes);
    check_lines(&w.out);
    let m = Message::parse(&w.out);
    let att = m.part(2).unwrap();
    assert_eq!(att.filename(), Some("big.bin"));
    assert_eq!(att.decoded_bytes().len(), len);
    assert!(att.decoded_bytes() == source_bytes(len));
}

#[test]
fn output_to_buffers() {
    let mut buf = bytes::BytesMut::new();
    Part::text("into bytes")
        .encode(&Options::default(), &mut buf)
        .unwrap();
    assert_eq!(Message::parse(&buf).root().text().unwrap(), "into bytes");
    let mut small = [0u8; 16];
    let err = Part::text("does not fit").encode(&Options::default(), &mut &mut small[..]);
    assert!(matches!(err, Err(BuildError::BufferFull)));
}

#[test]
fn reader_errors_are_reported() {
    struct Failing;
    impl Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk gone"))
        }
    }
    let err = Part::reader(MediaType::octet_stream(), Failing)
        .to_vec(&Options::default())
        .unwrap_err();
    assert!(matches!(err, BuildError::Io(_)));
}

#[test]
fn writer_errors() {
    let o = Options::default();
    let reserved = Part::text("x").header(HeaderName::new("Content-Type").unwrap(), "text/html");
    assert!(matches!(
        reserved.to_vec(&o),
        Err(BuildError::ReservedHeader(_))
    ));
    assert!(matches!(
        Part::multipart("mixed", vec![]).unwrap().to_vec(&o),
        Err(BuildError::EmptyMultipart)
    ));
    let long = "n".repeat(mailwire_mime::build::MAX_PARAM_VALUE + 1);
    let too_long = Part::text("x").attachment(Some(&long));
    assert!(matches!(too_long.to_vec(&o), Err(BuildError::Value(_))));
    assert!(MediaType::octet_stream().param("name", &long).is_err());
    let mismatch = Part::text("x").media_type(MediaType::parse("multipart/mixed").unwrap());
    assert!(matches!(
        mismatch.to_vec(&o),
        Err(BuildError::MediaTypeMismatch(_))
    ));
    let mut deep = Part::text("leaf");
    for _ in 0..=mailwire_mime::build::MAX_DEPTH {
        deep = Part::multipart("mixed", vec![deep]).unwrap();
    }
    assert!(matches!(deep.to_vec(&o), Err(BuildError::TooDeep { .. })));
    // At the limit, every level reads back.
    let mut deep = Part::text("leaf");
    for _ in 0..mailwire_mime::build::MAX_DEPTH {
        deep = Part::multipart("mixed", vec![deep]).unwrap();
    }
    let out = deep.to_vec(&o).unwrap();
    let m = Message::parse(&out);
    assert!(m.defects().next().is_none());
    assert_eq!(m.parts().last().unwrap().text().unwrap(), "leaf");
}

#[test]
fn bcc_written_only_when_asked() {
    let message = || {
        MessageBuilder::new()
            .from(addr("a@x.org"))
            .to(addr("b@x.org"))
            .bcc(addr("Hidden <hidden@x.org>"))
            .text("hi")
            .stamp(stamp())
    };
    let out = message().to_vec(&Options::default()).unwrap();
    assert!(Message::parse(&out).root().headers().get("bcc").is_none());
    assert!(!String::from_utf8_lossy(&out).contains("hidden"));
    let part = message().build().unwrap();
    assert!(part.headers().iter().all(|(n, _)| !n.eq_ignore_case("bcc")));

    let out = message()
        .to_vec(&Options::default().with_bcc(true))
        .unwrap();
    check_lines(&out);
    let m = Message::parse(&out);
    let (bcc, _) = m.root().headers().get("bcc").unwrap().addresses();
    assert_eq!(bcc[0].mailboxes()[0].addr_spec(), "hidden@x.org");
    let h = header_lines(&out);
    let at = |name: &str| h.iter().position(|l| l.starts_with(name)).unwrap();
    assert!(at("To:") < at("Bcc:") && at("Bcc:") < at("Message-ID:"));
}

#[test]
fn nested_utf8_messages_are_message_global() {
    let inner = || {
        Part::text("Grüße")
            .header(HeaderName::new("Subject").unwrap(), "Über")
            .header(HeaderName::new("From").unwrap(), addr("a@x.org"))
    };
    let utf8 = Options::default().with_utf8_headers(true);
    let out = Part::multipart("mixed", vec![Part::text("see"), Part::message(inner())])
        .unwrap()
        .to_vec(&utf8)
        .unwrap();
    check_lines(&out);
    let m = Message::parse(&out);
    let nested = m.part(2).unwrap();
    assert_eq!(nested.content_type().essence(), "message/global");
    let inner_root = nested.message().unwrap();
    assert_eq!(
        inner_root.headers().get("subject").unwrap().unstructured(),
        "Über"
    );
    assert_eq!(inner_root.text().unwrap(), "Grüße");

    // ASCII header fields stay message/rfc822, and so does everything
    // without UTF-8 headers (the fields are then encoded words).
    let ascii =
        Part::message(Part::text("Grüße").header(HeaderName::new("Subject").unwrap(), "plain"));
    let out = Part::multipart("mixed", vec![ascii])
        .unwrap()
        .to_vec(&utf8)
        .unwrap();
    let m = Message::parse(&out);
    assert_eq!(
        m.part(1).unwrap().content_type().essence(),
        "message/rfc822"
    );
    let out = Part::multipart("mixed", vec![Part::message(inner())])
        .unwrap()
        .to_vec(&Options::default())
        .unwrap();
    let m = Message::parse(&out);
    assert_eq!(
        m.part(1).unwrap().content_type().essence(),
        "message/rfc822"
    );
    assert!(out.is_ascii());
}

#[test]
fn preamble_and_epilogue() {
    let out = Part::multipart("mixed", vec![Part::text("one"), Part::text("two")])
        .unwrap()
        .preamble("This is a message in MIME format.\n--not a boundary")
        .epilogue("That was all.\r\n")
        .to_vec(&Options::default())
        .unwrap();
    check_lines(&out);
    let m = Message::parse(&out);
    let root = m.root();
    assert_eq!(root.children().count(), 2);
    assert_eq!(
        root.preamble().unwrap(),
        b"This is a message in MIME format.\r\n--not a boundary"
    );
    assert_eq!(root.epilogue().unwrap(), b"That was all.\r\n");
    let texts: Vec<_> = root
        .children()
        .map(|p| p.text().unwrap().into_owned())
        .collect();
    assert_eq!(texts, ["one", "two"]);

    // Nested: the inner epilogue stays inside its part.
    let inner = Part::multipart("alternative", vec![Part::text("a"), Part::html("<p>a</p>")])
        .unwrap()
        .preamble("inner preamble")
        .epilogue("inner epilogue");
    let out = Part::multipart("mixed", vec![inner, Part::text("after")])
        .unwrap()
        .to_vec(&Options::default())
        .unwrap();
    check_lines(&out);
    let m = Message::parse(&out);
    let alt = m.part(1).unwrap();
    assert_eq!(alt.preamble().unwrap(), b"inner preamble");
    assert!(alt.epilogue().unwrap().starts_with(b"inner epilogue"));
    assert_eq!(alt.children().count(), 2);
    assert_eq!(m.part(4).unwrap().text().unwrap(), "after");

    // Refused: non-ASCII, over-long lines, an enclosing boundary.
    for bad in ["café", &"x".repeat(999), "a\0b"] {
        let r = Part::multipart("mixed", vec![Part::text("x")])
            .unwrap()
            .preamble(bad)
            .to_vec(&Options::default());
        assert!(matches!(r, Err(BuildError::InvalidPreamble)), "{bad:?}");
    }
}
