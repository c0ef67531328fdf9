//! Builds a message from fuzz-chosen parts and header values (text with
//! boundary-like lines and non-ASCII, binary and streamed attachments,
//! file names, nested messages and multiparts), then checks that every
//! line ends in CRLF and holds at most 998 octets, that without 8bit the
//! output is US-ASCII, and that the decoder reads back the same subject,
//! From name, tree, texts, file names and attachment bytes.

#![no_main]

#[path = "../../crates/mailwire-mime/tests/build_support/mod.rs"]
mod support;

use mailwire_mime::Message;
use mailwire_mime::build::{MAX_PARAM_VALUE, Options};
use support::{Spec, compare_message, lines_ok, message};

struct Input<'a>(&'a [u8]);

/// Pieces text is made of, so that short inputs reach the hard cases.
const PIECES: &[&str] = &[
    "\n", "\r\n", "\r", " ", "\t", "--", "=_mw", "--=_mw", "=?", "?=", "é", "日本", "😀", "\0",
    "From ", ".", "=", "\"", "\\",
];

impl Input<'_> {
    fn byte(&mut self) -> u8 {
        let (first, rest) = self.0.split_first().map_or((0, &[][..]), |(f, r)| (*f, r));
        self.0 = rest;
        first
    }

    fn take(&mut self, n: usize) -> &[u8] {
        let n = n.min(self.0.len());
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        a
    }

    fn text(&mut self) -> String {
        let len = usize::from(self.byte() % 64);
        let mut s = String::new();
        for _ in 0..len {
            let b = self.byte();
            match b {
                0..=127 => s.push(char::from(b' ' + b % 95)),
                128..=191 => s.push_str(PIECES[usize::from(b) % PIECES.len()]),
                192..=223 => s.push_str(&"w".repeat(usize::from(b - 191) * 40)),
                _ => s.push(char::from_u32(u32::from(b) * 97).unwrap_or('ø')),
            }
        }
        s
    }

    fn name(&mut self) -> Option<String> {
        if self.byte().is_multiple_of(3) {
            None
        } else {
            // File names are limited (MAX_PARAM_VALUE); longer ones are
            // refused, which the rules tests check.
            let mut t = self.text();
            while t.len() > MAX_PARAM_VALUE {
                t.pop();
            }
            Some(t)
        }
    }

    fn spec(&mut self, depth: usize) -> Spec {
        let kind = if depth >= 4 {
            self.byte() % 3
        } else {
            self.byte() % 5
        };
        match kind {
            0 | 1 => Spec::Text {
                subtype: ["plain", "html"][usize::from(self.byte() % 2)],
                text: self.text(),
                filename: self.name(),
            },
            2 => {
                let len = usize::from(self.byte()) * 4;
                Spec::Bytes {
                    subtype: "octet-stream",
                    data: self.take(len).to_vec(),
                    filename: self.name(),
                    stream: self.byte().is_multiple_of(2),
                }
            }
            3 => {
                let n = 1 + usize::from(self.byte() % 3);
                Spec::Multipart {
                    subtype: ["mixed", "alternative", "related"][usize::from(self.byte() % 3)],
                    children: (0..n).map(|_| self.spec(depth + 1)).collect(),
                }
            }
            _ => Spec::Message {
                subject: self.text(),
                from_name: self.text(),
                body: Box::new(self.spec(depth + 1)),
            },
        }
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let flags = input.byte();
    let seed = u64::from(input.byte());
    let subject = input.text();
    let from_name = input.text();
    let spec = input.spec(0);
    let options = Options::default().with_8bit(flags & 1 != 0).with_seed(seed);
    let bytes = message(&subject, &from_name, &spec)
        .to_vec(&options)
        .expect("a valid tree is written");
    if let Err(e) = lines_ok(&bytes) {
        panic!("{e}");
    }
    if flags & 1 == 0 {
        assert!(bytes.is_ascii());
    }
    let parsed = Message::parse(&bytes);
    if let Err(e) = compare_message(&subject, &from_name, &spec, parsed.root()) {
        panic!("{e}\n{}", String::from_utf8_lossy(&bytes));
    }
});
