//! Message building throughput, with mail-builder and lettre's message
//! builder measured in the same run on the same content.
//!
//! Every implementation does the full work on every iteration: build a
//! message from From, To, a Subject with non-ASCII characters, a text body
//! with an HTML alternative, and one 10 MB binary attachment, and serialize
//! it to a `Vec<u8>` (the attachment in base64, the text and the subject in
//! whatever encoding each library chooses).
//!
//! Throughput is counted in octets of the attachment (10 MB, the same for
//! every library), not of the output (whose size differs a little from one
//! library to the other), so MiB/s compare directly.
//!
//! Before timing, each library's output is read by mailwire's decoder and
//! must give back the subject, the text and the attachment's octets.
//!
//! - `mailwire`: [`MessageBuilder::attach`] with the attachment as a
//!   shared [`Bytes`] (no copy);
//! - `mailwire-copy`: the same with an owned copy of the attachment
//!   (a `Vec<u8>` cloned on every iteration);
//! - `mailwire-reader`: [`MessageBuilder::attach_reader`] streaming the
//!   attachment from a shared buffer;
//! - `mail-builder`: its `MessageBuilder`, the attachment borrowed;
//! - `lettre`: `Message::builder()` with `MultiPart::mixed()`, the
//!   attachment an owned copy, then `formatted()`.

#![allow(missing_docs)] // criterion_group! generates undocumented functions

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mailwire::mime::{
    Message, Part,
    build::{Bytes, EmailAddress, MediaType, MessageBuilder, Options, Stamp},
    types::{DateTime, TransferEncoding},
};

const FROM_NAME: &str = "Andréa Dupont";
const FROM: &str = "andrea@example.org";
const TO_NAME: &str = "Bob Martin";
const TO: &str = "bob@example.com";
const SUBJECT: &str = "Rapport trimestriel — données de l'été 2024, version définitive";
const FILENAME: &str = "report.bin";
const ATTACHMENT_LEN: usize = 10 * 1000 * 1000;

/// A deterministic pseudo-random byte source.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(n + 8);
        while out.len() < n {
            out.extend_from_slice(&self.next().to_le_bytes());
        }
        out.truncate(n);
        out
    }
}

struct Content {
    text: String,
    html: String,
    attachment: Vec<u8>,
    shared: Arc<[u8]>,
    bytes: Bytes,
}

fn content() -> Content {
    let para = "Bonjour Bob,\n\nVoici le rapport du trimestre, avec les chiffres \
                de juillet, août et septembre. Les ventes ont progressé de 12 % \
                par rapport à l'an dernier.\n\nBien à toi,\nAndréa\n";
    let text = para.repeat(4);
    let html = format!(
        "<html><body>{}</body></html>\n",
        text.split("\n\n")
            .map(|p| format!("<p>{}</p>\n", p.replace('\n', "<br>")))
            .collect::<String>()
    );
    let attachment = Rng(0x2545_F491_4F6C_DD1D).bytes(ATTACHMENT_LEN);
    let shared = Arc::from(attachment.as_slice());
    let bytes = Bytes::copy_from_slice(&attachment);
    Content {
        text,
        html,
        attachment,
        shared,
        bytes,
    }
}

fn stamp() -> Stamp {
    let date = DateTime::new(2024, 10, 1, 9, 30, 0, Some(120)).expect("date");
    Stamp::new(date, "example.org", 1).expect("stamp")
}

fn mailwire_builder() -> MessageBuilder {
    MessageBuilder::new()
        .from(EmailAddress::new(Some(FROM_NAME), FROM).expect("from"))
        .to(EmailAddress::new(Some(TO_NAME), TO).expect("to"))
        .subject(SUBJECT)
        .stamp(stamp())
}

fn mailwire(c: &Content) -> Vec<u8> {
    mailwire_builder()
        .text(c.text.as_str())
        .html(c.html.as_str())
        .attach(FILENAME, None, c.bytes.clone())
        .to_vec(&Options::default())
        .expect("mailwire")
}

fn mailwire_copy(c: &Content) -> Vec<u8> {
    mailwire_builder()
        .text(c.text.as_str())
        .html(c.html.as_str())
        .attach(FILENAME, None, c.attachment.clone())
        .to_vec(&Options::default())
        .expect("mailwire")
}

fn mailwire_reader(c: &Content) -> Vec<u8> {
    let reader = std::io::Cursor::new(Arc::clone(&c.shared));
    mailwire_builder()
        .text(c.text.as_str())
        .html(c.html.as_str())
        .attach_reader(FILENAME, Some(MediaType::octet_stream()), reader)
        .to_vec(&Options::default())
        .expect("mailwire")
}

fn mail_builder(c: &Content) -> Vec<u8> {
    mail_builder::MessageBuilder::new()
        .from((FROM_NAME, FROM))
        .to((TO_NAME, TO))
        .subject(SUBJECT)
        .text_body(c.text.as_str())
        .html_body(c.html.as_str())
        .attachment(
            "application/octet-stream",
            FILENAME,
            c.attachment.as_slice(),
        )
        .write_to_vec()
        .expect("mail-builder")
}

fn lettre(c: &Content) -> Vec<u8> {
    use lettre::message::{Attachment, Mailbox, MultiPart, header::ContentType};
    let mailbox = |name: &str, addr: &str| {
        Mailbox::new(Some(name.to_owned()), addr.parse().expect("address"))
    };
    let attachment = Attachment::new(FILENAME.to_owned()).body(
        c.attachment.clone(),
        ContentType::parse("application/octet-stream").expect("type"),
    );
    let message = lettre::Message::builder()
        .from(mailbox(FROM_NAME, FROM))
        .to(mailbox(TO_NAME, TO))
        .subject(SUBJECT)
        .multipart(
            MultiPart::mixed()
                .multipart(MultiPart::alternative_plain_html(
                    c.text.clone(),
                    c.html.clone(),
                ))
                .singlepart(attachment),
        )
        .expect("lettre");
    message.formatted()
}

/// mailwire's decoder reads back the subject, the text and the attachment.
fn check(name: &str, out: &[u8], c: &Content) {
    let message = Message::parse(out);
    let root = message.root();
    let subject = root
        .headers()
        .get("subject")
        .map(|f| f.unstructured().into_owned());
    assert_eq!(subject.as_deref(), Some(SUBJECT), "{name}: subject");
    let mut text = None;
    let mut attachment = None;
    for part in message.parts() {
        let essence = part.content_type().essence();
        if part.filename() == Some(FILENAME) {
            check_base64_lines(name, &part);
            attachment = Some(part.decoded_bytes().into_owned());
        } else if essence == "text/plain" {
            text = part.text().map(|t| t.replace("\r\n", "\n"));
        }
    }
    assert_eq!(text.as_deref(), Some(c.text.as_str()), "{name}: text");
    let attachment = attachment.unwrap_or_else(|| panic!("{name}: no attachment"));
    assert!(attachment == c.attachment, "{name}: attachment differs");
}

/// The attachment went out the same way from every library: base64 in
/// lines of 76 characters ended by CRLF, so every library did the same work.
fn check_base64_lines(name: &str, part: &Part<'_>) {
    assert!(
        matches!(part.transfer_encoding(), TransferEncoding::Base64),
        "{name}: attachment not in base64"
    );
    let body = part.body_raw();
    let body = body.strip_suffix(b"\r\n").unwrap_or(body);
    let lines: Vec<&[u8]> = body.split(|&b| b == b'\n').collect();
    let (last, whole) = lines.split_last().expect("lines");
    for line in whole {
        assert!(
            line.len() == 77 && line.ends_with(b"\r"),
            "{name}: a base64 line of {} octets",
            line.len()
        );
    }
    assert!(last.len() <= 76 && !last.is_empty(), "{name}: last line");
    println!(
        "{name}: attachment in {} base64 lines of 76",
        whole.len() + 1
    );
}

/// One library's way to build the message.
type Build = fn(&Content) -> Vec<u8>;

fn bench_build(c: &mut Criterion) {
    let content = content();
    let builders: [(&str, Build); 5] = [
        ("mailwire", mailwire),
        ("mailwire-copy", mailwire_copy),
        ("mailwire-reader", mailwire_reader),
        ("mail-builder", mail_builder),
        ("lettre", lettre),
    ];
    for (name, build) in builders {
        let out = build(&content);
        check(name, &out, &content);
        println!("{name}: {} octets of output", out.len());
    }
    let mut g = c.benchmark_group("mime-build/10MB-attachment");
    g.throughput(Throughput::Bytes(ATTACHMENT_LEN as u64));
    g.sample_size(20);
    for (name, build) in builders {
        g.bench_function(name, |b| {
            b.iter(|| black_box(build(black_box(&content))));
        });
    }
    g.finish();
}

criterion_group!(benches, bench_build);
criterion_main!(benches);
