//! Built messages read by Python's `email` package
//! (`BytesParser(policy=policy.default)`) give the same subject, addresses,
//! texts, file names and attachment bytes as mailwire's decoder, and as
//! what was built. Skipped, with a notice, when `python3` is absent.

mod build_support;

use std::io::Write;
use std::process::{Command, Stdio};

use build_support::{Spec, crlf, lines_ok, message};
use mailwire_mime::Message;
use mailwire_mime::build::{
    AddressGroup, EmailAddress, MediaType, MessageBuilder, MsgId, Options, Stamp,
};
use mailwire_mime::decode::PartKind;
use mailwire_mime::types::DateTime;

/// For each message (hex on a line of stdin), records: `subject`, one
/// `addr` per mailbox of From, To and Cc (`field|name|addr-spec`), one
/// `leaf` per non-multipart, non-message part (`type|filename|hex of the
/// content`: text decoded to UTF-8, other parts' decoded octets), `end`.
const PYTHON: &str = r#"
import sys, binascii
from email.parser import BytesParser
from email import policy
def out(*fields):
    print('\t'.join(binascii.hexlify(f.encode('utf-8', 'surrogateescape')).decode() for f in fields))
for line in sys.stdin.read().split():
    m = BytesParser(policy=policy.default).parsebytes(binascii.unhexlify(line))
    out('subject', str(m['subject'] or ''))
    for field in ('from', 'to', 'cc'):
        h = m[field]
        if h is None:
            continue
        for a in h.addresses:
            out('addr', field + '|' + a.display_name + '|' + a.addr_spec)
    for part in m.walk():
        if part.is_multipart() or part.get_content_maintype() == 'message':
            continue
        if part.get_content_maintype() == 'text':
            content = part.get_content()
        else:
            content = binascii.hexlify(part.get_payload(decode=True)).decode()
            content = '#' + content
        out('leaf', part.get_content_type() + '|' + (part.get_filename() or '') + '|' + content)
    out('end')
"#;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// The same records from mailwire's decoder.
fn ours(bytes: &[u8]) -> Vec<String> {
    let m = Message::parse(bytes);
    let root = m.root();
    let h = root.headers();
    let mut out = vec![format!(
        "subject\t{}",
        h.get("subject")
            .map(|f| f.unstructured().into_owned())
            .unwrap_or_default()
    )];
    for field in ["from", "to", "cc"] {
        if let Some(f) = h.get(field) {
            for a in f.addresses().0 {
                for mb in a.mailboxes() {
                    out.push(format!(
                        "addr\t{field}|{}|{}",
                        mb.name.clone().unwrap_or_default(),
                        mb.addr_spec()
                    ));
                }
            }
        }
    }
    for p in m.parts() {
        if p.kind() != PartKind::Leaf {
            continue;
        }
        let content = match p.text() {
            Some(t) => t.into_owned(),
            None => format!("#{}", hex(&p.decoded_bytes())),
        };
        out.push(format!(
            "leaf\t{}|{}|{content}",
            p.content_type().essence(),
            p.filename().unwrap_or("")
        ));
    }
    out.push("end".into());
    out
}

/// Python's records for each message, or `None` without `python3`.
fn python(messages: &[Vec<u8>]) -> Option<Vec<Vec<String>>> {
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(PYTHON)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .ok()?;
    let input: String = messages.iter().map(|m| hex(m) + "\n").collect();
    child.stdin.take()?.write_all(input.as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    assert!(out.status.success(), "python3 failed");
    let mut all = Vec::new();
    let mut cur = Vec::new();
    for line in String::from_utf8(out.stdout).ok()?.lines() {
        let fields: Vec<String> = line
            .split('\t')
            .map(|f| String::from_utf8_lossy(&unhex(f)).into_owned())
            .collect();
        let rec = fields.join("\t");
        let end = rec == "end";
        cur.push(rec);
        if end {
            all.push(std::mem::take(&mut cur));
        }
    }
    Some(all)
}

fn addr(s: &str) -> EmailAddress {
    s.parse().unwrap()
}

fn stamp() -> Stamp {
    Stamp::new(
        DateTime::new(2024, 6, 1, 8, 30, 0, Some(60)).unwrap(),
        "example.org",
        5,
    )
    .unwrap()
}

/// Messages, with the records expected of them.
fn cases() -> Vec<(Vec<u8>, Vec<String>)> {
    let mut cases = Vec::new();
    let png = vec![0x89u8, b'P', b'N', b'G', 0, 0xff, b'\r', b'\n', 0x1a];
    let big: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let long_subject = "Un sujet très long, avec des accents éèà et des mots longs ".repeat(4);
    let builders = vec![
        (
            MessageBuilder::new()
                .from(addr("Andréa Dupont <andrea@example.org>"))
                .to(addr("\"Doe, John\" <jd@example.com>"))
                .to(addr("plain@example.com"))
                .cc(AddressGroup::new("Team", vec![addr("T One <t1@example.com>")]).unwrap())
                .subject(long_subject.trim())
                .text("Bonjour,\nvoici le fichier.\n--\nA.")
                .html("<p>Bonjour, <img src=\"cid:logo@example.org\"></p>")
                .inline(
                    MsgId::new("logo@example.org").unwrap(),
                    MediaType::parse("image/png").unwrap(),
                    png.clone(),
                )
                .attach(
                    "résumé naïf — version finale très longue du document.pdf",
                    None,
                    big.clone(),
                )
                .attach("notes.txt", None, b"line one\r\nline two\r\n".to_vec()),
            vec![
                format!("subject\t{}", long_subject.trim()),
                "addr\tfrom|Andréa Dupont|andrea@example.org".into(),
                "addr\tto|Doe, John|jd@example.com".into(),
                "addr\tto||plain@example.com".into(),
                "addr\tcc|T One|t1@example.com".into(),
                "leaf\ttext/plain||Bonjour,\r\nvoici le fichier.\r\n--\r\nA.".into(),
                "leaf\ttext/html||<p>Bonjour, <img src=\"cid:logo@example.org\"></p>".into(),
                format!("leaf\timage/png||#{}", hex(&png)),
                format!(
                    "leaf\tapplication/pdf|résumé naïf — version finale très longue du document.pdf|#{}",
                    hex(&big)
                ),
                "leaf\ttext/plain|notes.txt|line one\r\nline two\r\n".into(),
                "end".into(),
            ],
        ),
        (
            MessageBuilder::new()
                .from(addr("a@example.org"))
                .to(addr("b@example.org"))
                .subject("日本語の件名 and =?not?= a word")
                .text("日本語の本文\n".repeat(20)),
            vec![
                "subject\t日本語の件名 and =?not?= a word".into(),
                "addr\tfrom||a@example.org".into(),
                "addr\tto||b@example.org".into(),
                format!("leaf\ttext/plain||{}", "日本語の本文\r\n".repeat(20)),
                "end".into(),
            ],
        ),
    ];
    for (b, expect) in builders {
        let bytes = b.stamp(stamp()).to_vec(&Options::default()).unwrap();
        cases.push((bytes, expect));
    }
    // A nested message and a tree with hard contents.
    let spec = Spec::Multipart {
        subtype: "mixed",
        children: vec![
            Spec::Text {
                subtype: "plain",
                text: "x\n--=_mw0\nlong ".to_owned() + &"y".repeat(1500),
                filename: None,
            },
            Spec::Message {
                subject: "Fwd: 😀 inner".into(),
                from_name: "Zoë, \"Z\"".into(),
                body: Box::new(Spec::Bytes {
                    subtype: "octet-stream",
                    data: (0..=255u8).collect(),
                    filename: Some("all bytes.bin".into()),
                    stream: true,
                }),
            },
        ],
    };
    let bytes = message("outer", "O", &spec)
        .to_vec(&Options::default())
        .unwrap();
    cases.push((
        bytes,
        vec![
            "subject\touter".into(),
            "addr\tfrom|O|from@example.org".into(),
            format!(
                "leaf\ttext/plain||{}",
                crlf(&("x\n--=_mw0\nlong ".to_owned() + &"y".repeat(1500)))
            ),
            format!(
                "leaf\tapplication/octet-stream|all bytes.bin|#{}",
                hex(&(0..=255u8).collect::<Vec<_>>())
            ),
            "end".into(),
        ],
    ));
    cases
}

#[test]
fn mailwire_reads_back_what_was_built() {
    for (bytes, expect) in cases() {
        lines_ok(&bytes).unwrap();
        assert_eq!(ours(&bytes), expect);
    }
}

#[test]
fn python_reads_back_what_was_built() {
    let cases = cases();
    let messages: Vec<Vec<u8>> = cases.iter().map(|(b, _)| b.clone()).collect();
    let Some(answers) = python(&messages) else {
        println!("python3 not available: comparison with Python's email package skipped");
        return;
    };
    assert_eq!(answers.len(), cases.len());
    for ((bytes, expect), py) in cases.iter().zip(answers) {
        assert_eq!(
            &py,
            expect,
            "{}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(2000)])
        );
    }
}

/// A seeded source of random trees (xorshift), so every run checks the
/// same messages and a failure names its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap()
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn chars(&mut self, set: &[char], min: usize, max: usize) -> String {
        let n = min + self.below(max - min + 1);
        (0..n).map(|_| set[self.below(set.len())]).collect()
    }

    /// Text with every kind of line break, boundary-like lines, words
    /// that look like encoded words, long lines and non-ASCII.
    fn text(&mut self) -> String {
        let ascii: Vec<char> = (' '..='~').collect();
        let wide = [
            'é', 'ü', 'ß', 'Ω', '日', '本', '語', '😀', '\u{a0}', '€', 'ñ', 'ø', '\t',
        ];
        let mut out = String::new();
        for _ in 0..self.below(10) {
            let piece = match self.below(11) {
                0..=2 => self.chars(&ascii, 0, 30),
                3 => "\n".to_owned(),
                4 => "\r\n".to_owned(),
                5 => "\r".to_owned(),
                6 => format!("--=_mw{:x}", self.next()),
                7 => format!("--{}", self.chars(&['a', 'b', '-'], 1, 5)),
                8 => self.chars(&wide, 1, 12),
                9 => "x".repeat(60 + self.below(1200)),
                _ => "=?utf-8?q?a?=".to_owned(),
            };
            out.push_str(&piece);
        }
        out
    }

    /// A display name or a file name.
    fn name(&mut self) -> String {
        let plain: Vec<char> = ('a'..='z')
            .chain('0'..='9')
            .chain(['.', '_', '-'])
            .collect();
        let mixed = [
            'a', 'b', ' ', 'é', '日', '😀', '"', '\\', ',', ';', '(', ')', '<', '@', ':', '=', '?',
        ];
        match self.below(5) {
            0 => self.chars(&plain, 1, 20),
            1 => self.chars(&mixed, 1, 30),
            2 => self.chars(&['a', 'b', 'c', ' '], 60, 120),
            3 => format!("{} {}", self.chars(&plain, 1, 8), self.chars(&mixed, 1, 8)),
            _ => self.chars(&['x', '"', 'é'], 70, 400),
        }
    }

    fn leaf(&mut self) -> Spec {
        let filename = if self.chance(60) {
            Some(self.name())
        } else {
            None
        };
        if self.chance(50) {
            Spec::Text {
                subtype: ["plain", "html", "csv"][self.below(3)],
                text: self.text(),
                filename,
            }
        } else {
            let data = match self.below(3) {
                0 => (0..self.below(3000))
                    .map(|_| self.next().to_le_bytes()[0])
                    .collect(),
                1 => self.text().into_bytes(),
                _ => b"line\r\n--=_mw0\r\n".to_vec(),
            };
            Spec::Bytes {
                subtype: ["octet-stream", "pdf"][self.below(2)],
                data,
                filename,
                stream: self.chance(50),
            }
        }
    }

    fn tree(&mut self, depth: usize) -> Spec {
        if depth == 0 || self.chance(40) {
            return self.leaf();
        }
        if self.chance(75) {
            let n = 1 + self.below(3);
            Spec::Multipart {
                subtype: ["mixed", "alternative", "related"][self.below(3)],
                children: (0..n).map(|_| self.tree(depth - 1)).collect(),
            }
        } else {
            Spec::Message {
                subject: self.text(),
                from_name: self.name(),
                body: Box::new(self.tree(depth - 1)),
            }
        }
    }
}

/// The records expected of the leaves of `spec`, in tree order (nested
/// messages' leaves included).
fn leaf_records(spec: &Spec, out: &mut Vec<String>) {
    match spec {
        Spec::Text {
            subtype,
            text,
            filename,
        } => out.push(format!(
            "leaf\ttext/{subtype}|{}|{}",
            filename.as_deref().unwrap_or(""),
            crlf(text)
        )),
        Spec::Bytes {
            subtype,
            data,
            filename,
            ..
        } => out.push(format!(
            "leaf\tapplication/{subtype}|{}|#{}",
            filename.as_deref().unwrap_or(""),
            hex(data)
        )),
        Spec::Multipart { children, .. } => {
            for c in children {
                leaf_records(c, out);
            }
        }
        Spec::Message { body, .. } => leaf_records(body, out),
    }
}

/// Random trees under random subjects, From and To display names, each
/// built (7bit and 8bit) and read back by one Python process; every
/// record must be what was built.
#[test]
fn python_reads_back_random_trees() {
    const N: u64 = 64;
    let mut messages = Vec::new();
    let mut expected = Vec::new();
    for seed in 1..=N {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let spec = rng.tree(4);
        let subject = rng.text();
        let from_name = rng.name();
        let to: Vec<(String, String)> = (0..1 + rng.below(3))
            .map(|i| (rng.name(), format!("to{i}@example.com")))
            .collect();
        let eight = rng.chance(30);
        let mut part = message(&subject, &from_name, &spec);
        let list: Vec<mailwire_mime::build::AddressItem> = to
            .iter()
            .map(|(n, a)| EmailAddress::new(Some(n), a).unwrap().into())
            .collect();
        part = part.header(mailwire_mime::types::HeaderName::new("To").unwrap(), list);
        let options = Options::default().with_8bit(eight).with_seed(seed);
        let bytes = part.to_vec(&options).unwrap();
        lines_ok(&bytes).unwrap();
        let mut want = vec![
            format!("subject\t{}", subject.trim_matches([' ', '\t'])),
            format!("addr\tfrom|{from_name}|from@example.org"),
        ];
        for (n, a) in &to {
            want.push(format!("addr\tto|{n}|{a}"));
        }
        leaf_records(&spec, &mut want);
        want.push("end".into());
        assert_eq!(ours(&bytes), want, "mailwire, seed {seed}");
        messages.push(bytes);
        expected.push(want);
    }
    let Some(answers) = python(&messages) else {
        println!("python3 not available: comparison with Python's email package skipped");
        return;
    };
    assert_eq!(answers.len(), messages.len());
    let mut loosened = 0;
    for (i, (py, want)) in answers.iter().zip(&expected).enumerate() {
        // Where Python's `email` reads differently by design or by
        // defect: a display name with a run of words to encode too long
        // for one encoded word (Python puts a space between adjacent
        // encoded words of a phrase, where RFC 2047 §6.2 drops the white
        // space, and reads runs of spaces inside them as one) is compared
        // without its spaces; `get_filename()` removes one pair of `"…"`
        // or `<…>` around a file name (`email.utils.unquote`), then white
        // space around it.
        let loose = |r: &Vec<String>, built: bool| -> Vec<String> {
            r.iter()
                .map(|l| {
                    if let Some(a) = l.strip_prefix("addr\t") {
                        return format!("addr\t{}", a.replace(' ', ""));
                    }
                    let Some(leaf) = l.strip_prefix("leaf\t") else {
                        return l.clone();
                    };
                    let mut f = leaf.splitn(3, '|');
                    let (Some(t), Some(name), Some(content)) = (f.next(), f.next(), f.next())
                    else {
                        return l.clone();
                    };
                    let mut name = name;
                    if built && name.len() > 1 {
                        for (open, close) in [('"', '"'), ('<', '>')] {
                            if name.starts_with(open) && name.ends_with(close) {
                                name = &name[1..name.len() - 1];
                                break;
                            }
                        }
                    }
                    format!("leaf\t{t}|{}|{content}", name.trim())
                })
                .collect()
        };
        if py != want {
            loosened += 1;
        }
        assert_eq!(
            loose(py, false),
            loose(want, true),
            "seed {}:\n{}",
            i + 1,
            String::from_utf8_lossy(&messages[i][..messages[i].len().min(3000)])
        );
    }
    println!(
        "{} random messages read back by Python ({loosened} with a display name or a file name \
         compared as Python reads it)",
        messages.len()
    );
}
