//! MIME message decoding throughput, with mail-parser and mailparse measured
//! in the same run on the same inputs.
//!
//! Every implementation does the same work on every message: parse the
//! whole message, reach every header field of every part and decode it,
//! and decode every leaf body from its transfer encoding (and, for
//! `text/*`, from its charset to UTF-8). Each field is decoded the way
//! mail-parser's default parser decodes a field of that name (see
//! [`FieldKind`]): addresses (also `List-*`), dates, message ids (also
//! `Content-ID`, `Return-Path`), unstructured text with RFC 2047 encoded
//! words (`Subject`, `Comments`, `Content-Description`…; `Received`, which
//! mail-parser splits into its clauses, is read as text here), the
//! content type and disposition (read by the parsers themselves), and any
//! other field as written, trimmed, as UTF-8.
//!
//! - `mailwire`: [`Message::parse`] builds the tree of parts (each part's
//!   content type, disposition and transfer encoding read, bodies left as
//!   they are); then every field of every part is decoded, and every leaf
//!   body decoded with [`mailwire::mime::Part::text`] or
//!   [`mailwire::mime::Part::decoded_bytes`];
//! - `mailwire-stream`: the message pushed in 64 KiB chunks through the
//!   push parser, which decodes bodies from their transfer encoding as
//!   they stream; every field decoded as it is reported, and each `text/*`
//!   body gathered then converted to UTF-8 with [`to_utf8`];
//! - `mail-parser`: `MessageParser::default().parse`, which decodes every
//!   field and body while it builds its tree; then every header value and
//!   body of every part (nested messages included) is reached;
//! - `mailparse`: `parse_mail`, then every field unfolded and decoded
//!   (addresses and dates parsed) and every leaf body decoded.
//!
//! The groups:
//!
//! - `corpus`: every message of `/work/shared/corpus/mime` (or
//!   `$MAILWIRE_MIME_CORPUS`), one after the other;
//! - `large`: a 10 MB message, a 1 MB quoted-printable text part and a
//!   9 MB base64 attachment;
//! - `headers`: a message with 120 header fields (Received chains, address
//!   lists, encoded words, References) and a short body;
//! - `deep`: multiparts nested 40 deep, a short text part at each level;
//! - `transfer`: the transfer decoders alone, on 9 MB of base64 in 76-column
//!   lines, 1 MB of quoted-printable French text, and 1 MB of
//!   quoted-printable in which every octet is an `=XX` escape.
//!
//! On a shared machine, instruction counts are steadier than times:
//! `MIME_BENCH_COUNT=GROUP/IMPLEMENTATION[/ITERATIONS]` runs one
//! implementation untimed (see [`count`]), for `valgrind --tool=callgrind`;
//! and `MIME_BENCH_RATIO=GROUP` times the implementations in turn, round
//! after round, for ratios the drift of the machine's speed does not
//! distort (see [`ratio`]).

#![allow(missing_docs)] // criterion_group! generates undocumented functions

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use mailwire::mime::{
    Limits, Message,
    decode::{Event, Field, MessageParser, PartKind, to_utf8, transfer_decode},
    types::TransferEncoding,
};

// ---------------------------------------------------------------- inputs

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
        (0..n).map(|_| self.next().to_be_bytes()[4]).collect()
    }
}

fn base64_lines(data: &[u8]) -> Vec<u8> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::with_capacity(data.len() * 4 / 3 + data.len() / 38 + 8);
    for line in data.chunks(57) {
        for g in line.chunks(3) {
            let n = u32::from(g[0]) << 16
                | u32::from(*g.get(1).unwrap_or(&0)) << 8
                | u32::from(*g.get(2).unwrap_or(&0));
            out.push(ALPHABET[(n >> 18) as usize & 63]);
            out.push(ALPHABET[(n >> 12) as usize & 63]);
            out.push(if g.len() > 1 {
                ALPHABET[(n >> 6) as usize & 63]
            } else {
                b'='
            });
            out.push(if g.len() > 2 {
                ALPHABET[n as usize & 63]
            } else {
                b'='
            });
        }
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Quoted-printable: `=XX` for every octet outside printable ASCII (and
/// for every octet when `all` is set), soft line breaks at 76 columns.
fn quoted_printable(data: &[u8], all: bool) -> Vec<u8> {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = Vec::with_capacity(data.len() * 3);
    let mut col = 0;
    let mut lines = data.split(|&b| b == b'\n').peekable();
    while let Some(line) = lines.next() {
        for (j, &b) in line.iter().enumerate() {
            let last = j + 1 == line.len();
            let plain =
                !all && (b.is_ascii_graphic() && b != b'=' || (b == b' ' && !last)) && b != b'\r';
            let width = if plain { 1 } else { 3 };
            if col + width > 75 {
                out.extend_from_slice(b"=\r\n");
                col = 0;
            }
            if plain {
                out.push(b);
            } else {
                out.extend_from_slice(&[b'=', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
            }
            col += width;
        }
        if lines.peek().is_some() {
            out.extend_from_slice(b"\r\n");
            col = 0;
        }
    }
    out
}

/// French prose with accents, in UTF-8, `n` octets or a little more.
fn french_text(n: usize) -> Vec<u8> {
    let para = "Le cœur déçu mais l'âme plutôt naïve, Louÿs rêva de crapaüter en canoë \
                au delà des îles, près du mälström où brûlent les novæ. L'été dernier, \
                à Noël, ça m'a coûté cher : 42 € et une crème brûlée.\n";
    let mut out = Vec::with_capacity(n + para.len());
    while out.len() < n {
        out.extend_from_slice(para.as_bytes());
    }
    out
}

fn corpus() -> Vec<Vec<u8>> {
    let dir = std::env::var("MAILWIRE_MIME_CORPUS")
        .unwrap_or_else(|_| "/work/shared/corpus/mime".to_owned());
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                .collect()
        })
        .unwrap_or_default();
    paths.sort();
    paths.iter().filter_map(|p| std::fs::read(p).ok()).collect()
}

fn large_message() -> Vec<u8> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut m = Vec::new();
    m.extend_from_slice(
        b"From: Alice Martin <alice@example.org>\r\n\
To: Bob <bob@example.net>\r\n\
Subject: =?utf-8?q?Rapport_trimestriel_et_donn=C3=A9es?=\r\n\
Date: Tue, 14 May 2024 09:12:44 +0200\r\n\
Message-ID: <20240514091244.1234@example.org>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"=_outer_boundary_7f3a\"\r\n\r\n\
This is a multi-part message in MIME format.\r\n\
--=_outer_boundary_7f3a\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\r\n",
    );
    m.extend_from_slice(&quoted_printable(&french_text(700_000), false));
    m.extend_from_slice(
        b"\r\n--=_outer_boundary_7f3a\r\n\
Content-Type: application/octet-stream; name=\"donn=?utf-8?q?=C3=A9?=es.bin\"\r\n\
Content-Disposition: attachment; filename*=utf-8''donn%C3%A9es.bin\r\n\
Content-Transfer-Encoding: base64\r\n\r\n",
    );
    m.extend_from_slice(&base64_lines(&rng.bytes(9 * 1024 * 1024 * 3 / 4)));
    m.extend_from_slice(b"--=_outer_boundary_7f3a--\r\n");
    m
}

fn header_heavy() -> Vec<u8> {
    let mut m = Vec::new();
    for i in 0..40 {
        m.extend_from_slice(
            format!(
                "Received: from mx{i}.relay.example.net (mx{i}.relay.example.net [198.51.100.{i}])\r\n\
                 \tby mx{}.example.org (Postfix) with ESMTPS id 4Vd{i}Kx2Qz;\r\n\
                 \tTue, 14 May 2024 09:{:02}:44 +0200 (CEST)\r\n",
                i + 1,
                i % 60
            )
            .as_bytes(),
        );
    }
    for i in 0..20 {
        m.extend_from_slice(
            format!("X-Spam-Report-{i}: score=-{i}.1 tests=[BAYES_00=-1.9, DKIM_SIGNED=0.1,\r\n DKIM_VALID=-0.1, SPF_PASS=-0.001] autolearn=ham\r\n")
                .as_bytes(),
        );
    }
    m.extend_from_slice(
        b"From: =?utf-8?q?Andr=C3=A9_Dupr=C3=A9?= <andre.dupre@example.org>\r\n\
Sender: list-bounces@lists.example.org\r\n\
Reply-To: \"Discussion list\" <list@lists.example.org>\r\n\
To: \"Martin, Alice\" <alice@example.org>, Bob <bob@example.net>,\r\n \
carol@example.com, =?iso-8859-1?q?J=F6rg_M=FCller?= <joerg@example.de>,\r\n \
undisclosed-recipients:;, \"Dave (work)\" <dave@example.co.uk>\r\n\
Cc: team: erin@example.org, frank@example.org;, (comment) grace@example.org\r\n\
Subject: =?utf-8?b?UmU6IFLDqXVuaW9uIGRlIGzigJnDqXF1aXBlIOKAkyBjb21wdGUtcmVuZHU=?=\r\n \
=?utf-8?q?_et_suite_=E2=9C=93?=\r\n\
Date: Tue, 14 May 2024 09:12:44 +0200 (CEST)\r\n\
Message-ID: <CAF=xyz123.456@mail.example.org>\r\n\
In-Reply-To: <abc.def@example.net>\r\n\
References: <a1@example.org> <b2@example.net> <c3@example.com>\r\n <d4@example.org> <e5@example.net> <abc.def@example.net>\r\n\
List-Id: Discussion list <list.lists.example.org>\r\n\
List-Unsubscribe: <mailto:list-leave@lists.example.org>, <https://lists.example.org/u>\r\n\
Thread-Topic: =?utf-8?q?R=C3=A9union_de_l=E2=80=99=C3=A9quipe?=\r\n\
Comments: =?iso-8859-15?q?Voil=E0_le_compte-rendu_=A4?=\r\n\
MIME-Version: 1.0\r\n\
Content-Type: text/plain; charset=\"utf-8\"; format=flowed\r\n\
Content-Transfer-Encoding: 8bit\r\n\r\n\
Bonjour \xc3\xa0 tous,\r\n\r\nvoici le compte-rendu.\r\n",
    );
    m
}

fn deep_multipart(depth: usize) -> Vec<u8> {
    let mut m = b"From: a@example.org\r\nSubject: deep\r\nMIME-Version: 1.0\r\n".to_vec();
    for level in 0..depth {
        m.extend_from_slice(
            format!(
                "Content-Type: multipart/mixed; boundary=\"lvl{level}\"\r\n\r\n--lvl{level}\r\n\
                 Content-Type: text/plain; charset=iso-8859-1\r\n\
                 Content-Transfer-Encoding: quoted-printable\r\n\r\n\
                 Niveau {level} : caf=E9 cr=E8me br=FBl=E9e.\r\n--lvl{level}\r\n"
            )
            .as_bytes(),
        );
    }
    m.extend_from_slice(b"Content-Type: text/plain\r\n\r\nbottom\r\n");
    for level in (0..depth).rev() {
        m.extend_from_slice(format!("--lvl{level}--\r\n").as_bytes());
    }
    m
}

// ---------------------------------------------------------------- mailwire

/// How a header field is decoded: the way mail-parser's default parser
/// decodes a field of that name, so that both sides do the same work.
#[derive(Clone, Copy)]
enum FieldKind {
    /// An address list.
    Addresses,
    /// A date.
    Date,
    /// Message ids (also Content-ID and Return-Path, which mail-parser
    /// reads as ids).
    Ids,
    /// Unstructured text: unfolded, RFC 2047 encoded words decoded. Also
    /// Keywords and Content-Language (a comma-separated list for
    /// mail-parser) and Received (parsed into its clauses by mail-parser,
    /// which mailwire does not do: it reads the text).
    Text,
    /// Content-Type, Content-Disposition: parsed by the parser itself, for
    /// every part.
    Mime,
    /// Any other field: its value as written, trimmed, as UTF-8 (lossily).
    Raw,
}

fn field_kind(name: &[u8]) -> FieldKind {
    let mut lower = [0u8; 25];
    let Some(lower) = lower.get_mut(..name.len()) else {
        return FieldKind::Raw;
    };
    for (l, n) in lower.iter_mut().zip(name) {
        *l = n.to_ascii_lowercase();
    }
    match &*lower {
        b"from" | b"to" | b"cc" | b"bcc" | b"reply-to" | b"sender" | b"resent-from"
        | b"resent-to" | b"resent-cc" | b"resent-bcc" | b"resent-sender" | b"list-archive"
        | b"list-help" | b"list-id" | b"list-owner" | b"list-post" | b"list-subscribe"
        | b"list-unsubscribe" => FieldKind::Addresses,
        b"date" | b"resent-date" => FieldKind::Date,
        b"message-id" | b"in-reply-to" | b"references" | b"return-path" | b"content-id"
        | b"resent-message-id" => FieldKind::Ids,
        b"subject"
        | b"comments"
        | b"content-description"
        | b"content-location"
        | b"content-transfer-encoding"
        | b"keywords"
        | b"content-language"
        | b"received" => FieldKind::Text,
        b"content-type" | b"content-disposition" => FieldKind::Mime,
        _ => FieldKind::Raw,
    }
}

/// Decodes one header field the way mail-parser does (see [`FieldKind`]).
fn mailwire_field(field: &Field<'_>) -> usize {
    match field_kind(field.name()) {
        FieldKind::Addresses => black_box(field.addresses()).0.len(),
        FieldKind::Date => usize::from(black_box(field.date_time()).is_ok()),
        FieldKind::Ids => black_box(field.message_ids()).len(),
        FieldKind::Text => black_box(field.unstructured()).len(),
        FieldKind::Mime => 1,
        FieldKind::Raw => black_box(String::from_utf8_lossy(field.raw_value().trim_ascii())).len(),
    }
}

fn mailwire_tree(input: &[u8], _limits: &Limits) -> usize {
    let message = Message::parse(input);
    let mut work = 0;
    for part in message.parts() {
        for field in part.headers().iter() {
            work += mailwire_field(&field);
        }
        if part.kind() == PartKind::Leaf {
            work += match part.text() {
                Some(text) => black_box(text).len(),
                None => black_box(part.decoded_bytes()).len(),
            };
        }
    }
    work
}

fn mailwire_stream(input: &[u8], limits: &Limits) -> usize {
    let mut parser = MessageParser::new(limits).decode_bodies(true);
    let mut work = 0;
    // A `text/*` leaf's body is gathered, then decoded from its charset
    // to UTF-8 as the tree's `Part::text` does (a multi-octet character
    // may straddle two chunks).
    let mut text: Option<(usize, String)> = None;
    let mut body = Vec::new();
    let mut sink = |event: Event<'_>| match event {
        Event::PartStart { info, .. } => {
            let ct = &info.content_type;
            if info.kind == PartKind::Leaf && ct.media_type == "text" {
                let charset = ct.charset().unwrap_or("us-ascii");
                text = Some((info.id, charset.to_owned()));
                body.clear();
            }
        }
        Event::Header { field, .. } => work += mailwire_field(&field),
        Event::Body { part, data, .. } => match &text {
            Some((id, _)) if *id == part => body.extend_from_slice(data),
            _ => work += black_box(data).len(),
        },
        Event::PartEnd(end) => {
            if let Some((_, charset)) = text.take_if(|(id, _)| *id == end.id) {
                work += black_box(to_utf8(charset.as_bytes(), &body)).len();
            }
        }
        _ => {}
    };
    for chunk in input.chunks(64 * 1024) {
        parser.push(chunk, &mut sink);
    }
    parser.finish(&mut sink);
    work
}

// ---------------------------------------------------------------- mail-parser

fn mail_parser_message(message: &mail_parser::Message<'_>) -> usize {
    use mail_parser::PartType;
    let mut work = 0;
    // Nested messages are parsed whole, as parts of this one; recursion is
    // bounded by mail-parser's own nesting limit.
    for part in &message.parts {
        for header in part.headers() {
            black_box(header.value());
            work += 1;
        }
        work += match &part.body {
            PartType::Text(t) | PartType::Html(t) => black_box(t).len(),
            PartType::Binary(b) | PartType::InlineBinary(b) => black_box(b).len(),
            PartType::Message(m) => mail_parser_message(m),
            PartType::Multipart(_) => 0,
        };
    }
    work
}

fn mail_parser_full(input: &[u8], _limits: &Limits) -> usize {
    match mail_parser::MessageParser::default().parse(input) {
        Some(message) => mail_parser_message(&message),
        None => 0,
    }
}

// ---------------------------------------------------------------- mailparse

fn mailparse_part(mail: &mailparse::ParsedMail<'_>) -> usize {
    let mut work = 0;
    for header in &mail.headers {
        let key = header.get_key_ref();
        work += match field_kind(key.as_bytes()) {
            FieldKind::Addresses => black_box(mailparse::addrparse_header(header))
                .map(|a| a.len())
                .unwrap_or(0),
            FieldKind::Date => {
                usize::from(black_box(mailparse::dateparse(&header.get_value())).is_ok())
            }
            _ => black_box(header.get_value()).len(),
        };
    }
    if mail.subparts.is_empty() {
        work += if mail.ctype.mimetype.starts_with("text/") {
            black_box(mail.get_body()).map(|b| b.len()).unwrap_or(0)
        } else {
            black_box(mail.get_body_raw()).map(|b| b.len()).unwrap_or(0)
        };
    }
    for sub in &mail.subparts {
        work += mailparse_part(sub);
    }
    work
}

fn mailparse_full(input: &[u8], _limits: &Limits) -> usize {
    match mailparse::parse_mail(input) {
        Ok(mail) => mailparse_part(&mail),
        Err(_) => 0,
    }
}

// ---------------------------------------------------------------- benches

/// One implementation: the whole work on one message.
type Implementation = fn(&[u8], &Limits) -> usize;

const IMPLEMENTATIONS: &[(&str, Implementation)] = &[
    ("mailwire", mailwire_tree),
    ("mailwire-stream", mailwire_stream),
    ("mail-parser", mail_parser_full),
    ("mailparse", mailparse_full),
];

fn run_all(f: Implementation, inputs: &[Vec<u8>], limits: &Limits) -> usize {
    inputs.iter().map(|m| f(black_box(m), limits)).sum()
}

fn messages(c: &mut Criterion, name: &str, inputs: &[Vec<u8>]) {
    let total: usize = inputs.iter().map(Vec::len).sum();
    let limits = Limits::default();
    let mut g = c.benchmark_group(format!("mime/{name}"));
    g.throughput(Throughput::Bytes(total as u64));
    if total > 1_000_000 {
        g.sample_size(20);
    }
    for &(id, f) in IMPLEMENTATIONS {
        g.bench_function(id, |b| b.iter(|| run_all(f, inputs, &limits)));
    }
    g.finish();
}

fn message_groups() -> Vec<(&'static str, Vec<Vec<u8>>)> {
    let corpus = corpus();
    assert!(!corpus.is_empty(), "no corpus: set MAILWIRE_MIME_CORPUS");
    vec![
        ("corpus", corpus),
        ("large", vec![large_message()]),
        ("headers", vec![header_heavy()]),
        ("deep", vec![deep_multipart(40)]),
    ]
}

/// The inputs of the group called `name`.
fn group_inputs(name: &str) -> Vec<Vec<u8>> {
    message_groups()
        .into_iter()
        .find(|(g, _)| *g == name)
        .expect("no such group")
        .1
}

/// The measured part of an instruction count: `iterations` runs of one
/// implementation over a group's inputs.
#[inline(never)]
fn measured(f: Implementation, inputs: &[Vec<u8>], iterations: usize) -> usize {
    let limits = Limits::default();
    (0..iterations).map(|_| run_all(f, inputs, &limits)).sum()
}

/// `MIME_BENCH_COUNT=GROUP/IMPLEMENTATION[/ITERATIONS]` runs that
/// implementation over that group's inputs (once by default), untimed,
/// for an instruction count that the load of the machine does not
/// disturb:
///
/// ```text
/// MIME_BENCH_COUNT=corpus/mailwire valgrind --tool=callgrind \
///     --collect-atstart=no --toggle-collect='*measured*' target/release/deps/mime-…
/// ```
fn count(spec: &str) {
    let mut it = spec.split('/');
    let (group, implementation) = (it.next().unwrap_or(""), it.next().unwrap_or(""));
    let iterations = it.next().and_then(|n| n.parse().ok()).unwrap_or(1);
    let inputs = &group_inputs(group);
    let f = IMPLEMENTATIONS
        .iter()
        .find(|(n, _)| *n == implementation)
        .expect("no such implementation")
        .1;
    println!("{}", measured(f, inputs, iterations));
}

/// `MIME_BENCH_RATIO=GROUP[/ROUNDS]` times every implementation over that
/// group's inputs in turn, round after round (31 by default), each for
/// about 20 ms a round, and prints each one's median time per pass and
/// the median of its ratio to mail-parser's time in the same round: on a
/// machine whose speed drifts, steadier than benchmarks run one after
/// the other.
fn ratio(spec: &str) {
    let mut it = spec.split('/');
    let group = it.next().unwrap_or("");
    let rounds = it.next().and_then(|n| n.parse().ok()).unwrap_or(31);
    let inputs = &group_inputs(group);
    let limits = Limits::default();
    // Passes per round: about 20 ms of mail-parser.
    let start = std::time::Instant::now();
    let mut passes = 0u32;
    while start.elapsed().as_millis() < 20 {
        black_box(run_all(mail_parser_full, inputs, &limits));
        passes += 1;
    }
    let mut times = vec![Vec::new(); IMPLEMENTATIONS.len()];
    for _ in 0..rounds {
        for (k, &(_, f)) in IMPLEMENTATIONS.iter().enumerate() {
            let t = std::time::Instant::now();
            for _ in 0..passes {
                black_box(run_all(f, black_box(inputs), &limits));
            }
            times[k].push(t.elapsed().as_secs_f64() / f64::from(passes));
        }
    }
    let reference = IMPLEMENTATIONS
        .iter()
        .position(|(n, _)| *n == "mail-parser")
        .unwrap_or(0);
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let bytes: usize = inputs.iter().map(Vec::len).sum();
    for (k, (name, _)) in IMPLEMENTATIONS.iter().enumerate() {
        let ratios = times[k]
            .iter()
            .zip(&times[reference])
            .map(|(a, b)| a / b)
            .collect();
        let t = median(times[k].clone());
        println!(
            "{group}/{name}: {:.1} µs per pass, {:.1} MiB/s, {:.3} × mail-parser's time",
            t * 1e6,
            bytes as f64 / t / 1048576.0,
            median(ratios)
        );
    }
}

fn bench_messages(c: &mut Criterion) {
    for (name, inputs) in message_groups() {
        messages(c, name, &inputs);
    }
}

fn bench_transfer(c: &mut Criterion) {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let base64 = base64_lines(&rng.bytes(9 * 1024 * 1024 * 3 / 4));
    let qp_text = quoted_printable(&french_text(700_000), false);
    let qp_escapes = quoted_printable(&rng.bytes(350_000), true);
    let inputs = [
        ("base64", TransferEncoding::Base64, base64),
        ("qp-text", TransferEncoding::QuotedPrintable, qp_text),
        ("qp-escapes", TransferEncoding::QuotedPrintable, qp_escapes),
    ];
    let mut g = c.benchmark_group("mime/transfer");
    g.sample_size(20);
    for (name, encoding, input) in &inputs {
        // The decoders must agree before they are timed.
        let ours = transfer_decode(encoding, input).0;
        let theirs = match encoding {
            TransferEncoding::Base64 => mail_parser::decoders::base64::base64_decode(input),
            _ => mail_parser::decoders::quoted_printable::quoted_printable_decode(input),
        };
        assert_eq!(Some(&ours), theirs.as_ref(), "{name}");
        g.throughput(Throughput::Bytes(input.len() as u64));
        g.bench_with_input(BenchmarkId::new("mailwire", name), input, |b, input| {
            b.iter(|| black_box(transfer_decode(encoding, black_box(input))))
        });
        g.bench_with_input(BenchmarkId::new("mail-parser", name), input, |b, input| {
            b.iter(|| match encoding {
                TransferEncoding::Base64 => black_box(
                    mail_parser::decoders::base64::base64_decode(black_box(input)),
                ),
                _ => black_box(
                    mail_parser::decoders::quoted_printable::quoted_printable_decode(black_box(
                        input,
                    )),
                ),
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench_messages, bench_transfer);

fn main() {
    if let Ok(spec) = std::env::var("MIME_BENCH_COUNT") {
        count(&spec);
        return;
    }
    if let Ok(spec) = std::env::var("MIME_BENCH_RATIO") {
        ratio(&spec);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
