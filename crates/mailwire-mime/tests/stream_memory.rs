//! Streaming a large message through [`MessageParser`] in bounded memory.
//!
//! The message is generated on the fly, chunk by chunk, never held whole:
//! a quoted-printable text part, a large base64 attachment of pseudo-random
//! octets, and a base64-encoded `message/rfc822` part with its own base64
//! attachment (a second byte stream inside the first). Chunks are pushed in
//! sizes that cut lines and base64 groups anywhere. The parser's buffered
//! input, its estimated heap memory and (for the large run) the process's
//! peak resident memory stay bounded, and every decoded octet is checked.
//!
//! `streams_64_mib` runs by default; `streams_1_gib` is ignored (run it with
//! `cargo test --release -p mailwire-mime --test stream_memory -- --ignored
//! --nocapture`).

use base64::Engine as _;
use mailwire_mime::Limits;
use mailwire_mime::decode::{Event, MessageParser};

/// A deterministic pseudo-random octet source.
struct Rng(u64);

impl Rng {
    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            let bytes = self.0.to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
}

/// An order-sensitive digest of a byte stream, fed in pieces.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Digest {
    len: u64,
    hash: u64,
}

impl Digest {
    fn feed(&mut self, data: &[u8]) {
        for &b in data {
            self.hash = (self.hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3);
        }
        self.len += data.len() as u64;
    }
}

/// Pushes whatever it is given to the parser in pieces of cycling sizes,
/// and records the parser's peaks after every push.
struct Feeder<'p, F> {
    parser: &'p mut MessageParser,
    sink: F,
    sizes: std::iter::Cycle<std::slice::Iter<'static, usize>>,
    peak_buffered: usize,
    peak_memory: usize,
    pushed: u64,
}

impl<F: FnMut(Event<'_>)> Feeder<'_, F> {
    fn push(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            let n = (*self.sizes.next().unwrap_or(&65_536)).min(data.len());
            let (piece, rest) = data.split_at(n);
            self.parser.push(piece, &mut self.sink);
            self.pushed += n as u64;
            self.peak_buffered = self.peak_buffered.max(self.parser.buffered());
            self.peak_memory = self.peak_memory.max(self.parser.memory());
            data = rest;
        }
    }
}

/// Base64 of `len` pseudo-random octets from `rng`, in 76-column CRLF
/// lines, handed to `out` about 60 KiB at a time; the octets go to
/// `digest`.
fn base64_body(rng: &mut Rng, len: u64, digest: &mut Digest, mut out: impl FnMut(&[u8])) {
    const LINE: usize = 57;
    const LINES: usize = 800;
    let mut raw = vec![0u8; LINE * LINES];
    let mut wire = Vec::with_capacity(78 * LINES);
    let mut left = len;
    while left > 0 {
        let n = usize::try_from(left.min(raw.len() as u64)).unwrap_or(raw.len());
        let raw = &mut raw[..n];
        rng.fill(raw);
        digest.feed(raw);
        wire.clear();
        for line in raw.chunks(LINE) {
            let start = wire.len();
            wire.resize(start + 80, 0);
            let used = base64::engine::general_purpose::STANDARD
                .encode_slice(line, &mut wire[start..])
                .unwrap_or(0);
            wire.truncate(start + used);
            wire.extend_from_slice(b"\r\n");
        }
        out(&wire);
        left -= n as u64;
    }
}

/// The sizes pieces are pushed in: large and small, none a multiple of a
/// line or a base64 group.
static SIZES: [usize; 6] = [65_536, 4_093, 1, 77, 100_003, 13];

/// Peak resident memory of this process so far, in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

struct Report {
    pushed: u64,
    peak_buffered: usize,
    peak_memory: usize,
}

/// Streams a message whose main attachment has `attachment` octets (and
/// whose nested message's attachment has `nested` octets), checking every
/// decoded body.
fn stream(attachment: u64, nested: u64) -> Report {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut expected = [Digest::default(); 8];
    let mut got = [Digest::default(); 8];
    let mut parts = Vec::new();
    let mut defects = Vec::new();
    let mut parser = MessageParser::new(&Limits::default()).decode_bodies(true);
    let mut feeder = Feeder {
        parser: &mut parser,
        sink: |event: Event<'_>| match event {
            Event::PartStart { info, .. } => parts.push(info.content_type.essence()),
            Event::Body { part, data, .. } => got[part.min(7)].feed(data),
            Event::Defect { part, defect } => defects.push((part, defect)),
            _ => {}
        },
        sizes: SIZES.iter().cycle(),
        peak_buffered: 0,
        peak_memory: 0,
        pushed: 0,
    };

    // Part 0: the message; part 1: the text.
    feeder.push(
        b"From: a@example.org\r\nTo: b@example.net\r\nSubject: large\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"outer-7f3a\"\r\n\r\n\
--outer-7f3a\r\nContent-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\r\n",
    );
    let text = "Caf=C3=A9 cr=C3=A8me br=C3=BBl=C3=A9e, na=C3=AFve fa=C3=A7ade. =\r\n";
    for _ in 0..1000 {
        feeder.push(text.as_bytes());
    }
    expected[1].feed("Café crème brûlée, naïve façade. ".repeat(1000).as_bytes());

    // Part 2: the attachment.
    feeder.push(
        b"\r\n--outer-7f3a\r\nContent-Type: application/octet-stream; name=data.bin\r\n\
Content-Transfer-Encoding: base64\r\n\r\n",
    );
    base64_body(&mut rng, attachment, &mut expected[2], |w| feeder.push(w));

    // Part 3: a base64-encoded message (parts 4 and 5, its attachment
    // part 5), encoded here in pieces as it is generated.
    feeder.push(
        b"--outer-7f3a\r\nContent-Type: message/rfc822\r\n\
Content-Transfer-Encoding: base64\r\n\r\n",
    );
    let mut inner = b"Subject: inner\r\nContent-Type: multipart/mixed; boundary=in\r\n\r\n--in\r\n\
Content-Transfer-Encoding: base64\r\nContent-Type: application/pdf\r\n\r\n"
        .to_vec();
    let mut carry = Vec::new();
    let mut outer_digest = Digest::default();
    let mut encode_out = |bytes: &[u8], last: bool, feeder: &mut Feeder<'_, _>| {
        outer_digest.feed(bytes);
        carry.extend_from_slice(bytes);
        let whole = if last {
            carry.len()
        } else {
            carry.len() / 57 * 57
        };
        let mut wire = Vec::new();
        for line in carry[..whole].chunks(57) {
            wire.extend_from_slice(
                base64::engine::general_purpose::STANDARD
                    .encode(line)
                    .as_bytes(),
            );
            wire.extend_from_slice(b"\r\n");
        }
        carry.drain(..whole);
        feeder.push(&wire);
    };
    encode_out(&std::mem::take(&mut inner), false, &mut feeder);
    base64_body(&mut rng, nested, &mut expected[5], |w| {
        encode_out(w, false, &mut feeder)
    });
    encode_out(b"--in--\r\n", true, &mut feeder);
    feeder.push(b"--outer-7f3a--\r\n");
    let (peak_buffered, peak_memory, pushed) =
        (feeder.peak_buffered, feeder.peak_memory, feeder.pushed);
    parser.finish(&mut |event: Event<'_>| {
        if let Event::Defect { part, defect } = event {
            defects.push((part, defect));
        }
    });
    expected[3] = outer_digest;

    assert_eq!(
        parts,
        [
            "multipart/mixed",
            "text/plain",
            "application/octet-stream",
            "message/rfc822",
            "multipart/mixed",
            "application/pdf",
        ]
    );
    assert!(defects.is_empty(), "{defects:?}");
    for part in [1, 2, 3, 5] {
        assert_eq!(got[part], expected[part], "part {part}");
    }
    Report {
        pushed,
        peak_buffered,
        peak_memory,
    }
}

#[test]
fn streams_64_mib() {
    let report = stream(46 * 1024 * 1024, 2 * 1024 * 1024);
    eprintln!(
        "{} octets pushed; peak buffered {} octets, peak parser memory {} octets, peak RSS {:?} KiB",
        report.pushed,
        report.peak_buffered,
        report.peak_memory,
        peak_rss_kib()
    );
    assert!(report.pushed > 64 * 1024 * 1024);
    assert!(report.peak_buffered < 64 * 1024, "{}", report.peak_buffered);
    assert!(
        report.peak_memory < 2 * 1024 * 1024,
        "{}",
        report.peak_memory
    );
}

#[test]
#[ignore = "1 GiB: run in release"]
fn streams_1_gib() {
    let report = stream(740 * 1024 * 1024, 32 * 1024 * 1024);
    let rss = peak_rss_kib();
    eprintln!(
        "{} octets pushed; peak buffered {} octets, peak parser memory {} octets, peak RSS {:?} KiB",
        report.pushed, report.peak_buffered, report.peak_memory, rss
    );
    assert!(report.pushed > 1024 * 1024 * 1024);
    assert!(report.peak_buffered < 64 * 1024, "{}", report.peak_buffered);
    assert!(
        report.peak_memory < 2 * 1024 * 1024,
        "{}",
        report.peak_memory
    );
    if let Some(rss) = rss {
        assert!(rss < 64 * 1024, "peak RSS {rss} KiB");
    }
}
