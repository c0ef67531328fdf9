//! Shared by the build tests: a description of a message tree, the
//! [`Part`] it builds, and a check that a parsed message holds it.

#![allow(dead_code)]

use mailwire_mime::build::{EmailAddress, MediaType, Part};
use mailwire_mime::decode::PartKind;
use mailwire_mime::types::HeaderName;

/// A tree to build and to find again.
#[derive(Debug, Clone)]
pub(crate) enum Spec {
    Text {
        subtype: &'static str,
        text: String,
        filename: Option<String>,
    },
    Bytes {
        subtype: &'static str,
        data: Vec<u8>,
        filename: Option<String>,
        stream: bool,
    },
    Multipart {
        subtype: &'static str,
        children: Vec<Spec>,
    },
    Message {
        subject: String,
        from_name: String,
        body: Box<Spec>,
    },
}

/// Line breaks as the writer writes text.
pub(crate) fn crlf(s: &str) -> String {
    s.replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\n', "\r\n")
}

pub(crate) fn to_part(spec: &Spec) -> Part {
    match spec {
        Spec::Text {
            subtype,
            text,
            filename,
        } => {
            let p = Part::text_as(MediaType::new("text", subtype).unwrap(), text.clone());
            match filename {
                Some(f) => p.attachment(Some(f)),
                None => p,
            }
        }
        Spec::Bytes {
            subtype,
            data,
            filename,
            stream,
        } => {
            let mt = MediaType::new("application", subtype).unwrap();
            let p = if *stream {
                Part::reader(mt, std::io::Cursor::new(data.clone()))
            } else {
                Part::bytes(mt, data.clone())
            };
            p.attachment(filename.as_deref())
        }
        Spec::Multipart { subtype, children } => {
            Part::multipart(subtype, children.iter().map(to_part).collect()).unwrap()
        }
        Spec::Message {
            subject,
            from_name,
            body,
        } => Part::message(message(subject, from_name, body)),
    }
}

/// A message: Subject and From fields over `body`.
pub(crate) fn message(subject: &str, from_name: &str, body: &Spec) -> Part {
    to_part(body)
        .header(HeaderName::new("Subject").unwrap(), subject)
        .header(
            HeaderName::new("From").unwrap(),
            EmailAddress::new(Some(from_name), "from@example.org").unwrap(),
        )
}

/// Checks that `part` (parsed) holds `spec`; returns what differs.
pub(crate) fn compare(spec: &Spec, part: mailwire_mime::Part<'_>) -> Result<(), String> {
    let essence = part.content_type().essence();
    match spec {
        Spec::Text {
            subtype,
            text,
            filename,
        } => {
            expect(essence, format!("text/{subtype}"))?;
            expect(part.text().map(|t| t.into_owned()), Some(crlf(text)))?;
            expect(part.filename().map(str::to_owned), filename.clone())
        }
        Spec::Bytes {
            subtype,
            data,
            filename,
            ..
        } => {
            expect(essence, format!("application/{subtype}"))?;
            expect(part.decoded_bytes().into_owned(), data.clone())?;
            expect(part.filename().map(str::to_owned), filename.clone())
        }
        Spec::Multipart { subtype, children } => {
            expect(essence, format!("multipart/{subtype}"))?;
            expect(part.kind(), PartKind::Multipart)?;
            let kids: Vec<_> = part.children().collect();
            expect(kids.len(), children.len())?;
            for (s, p) in children.iter().zip(kids) {
                compare(s, p)?;
            }
            Ok(())
        }
        Spec::Message {
            subject,
            from_name,
            body,
        } => {
            expect(essence, "message/rfc822".to_owned())?;
            let inner = part.message().ok_or("no nested message")?;
            compare_message(subject, from_name, body, inner)
        }
    }
}

/// Checks a message's Subject, From and content.
pub(crate) fn compare_message(
    subject: &str,
    from_name: &str,
    body: &Spec,
    part: mailwire_mime::Part<'_>,
) -> Result<(), String> {
    let h = part.headers();
    expect(
        h.get("subject").map(|f| f.unstructured().into_owned()),
        Some(subject.trim_matches([' ', '\t']).to_owned()),
    )?;
    let (from, defects) = h.get("from").ok_or("no From")?.addresses();
    expect(defects.len(), 0)?;
    let m = from.first().ok_or("empty From")?.mailboxes()[0].clone();
    expect(m.name, Some(from_name.to_owned()).filter(|n| !n.is_empty()))?;
    compare(body, part)
}

fn expect<T: PartialEq + std::fmt::Debug>(got: T, want: T) -> Result<(), String> {
    if got == want {
        return Ok(());
    }
    let g: Vec<char> = format!("{got:?}").chars().collect();
    let w: Vec<char> = format!("{want:?}").chars().collect();
    let at = g.iter().zip(&w).take_while(|(a, b)| a == b).count();
    let show = |v: &[char]| -> String { v.iter().skip(at.saturating_sub(40)).take(200).collect() };
    Err(format!(
        "differ at char {at} (lengths {} and {}):\ngot  {}\nwant {}",
        g.len(),
        w.len(),
        show(&g),
        show(&w)
    ))
}

/// Every line ends in CRLF and holds at most 998 octets.
pub(crate) fn lines_ok(bytes: &[u8]) -> Result<(), String> {
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                if i - start > 998 {
                    return Err(format!("line over 998 at {start}"));
                }
                i += 2;
                start = i;
                continue;
            }
            b'\r' | b'\n' => return Err(format!("bare CR or LF at {i}")),
            _ => {}
        }
        i += 1;
    }
    if bytes.len() - start > 998 {
        return Err(format!("line over 998 at {start}"));
    }
    Ok(())
}
