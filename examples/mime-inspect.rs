//! Prints the structure of Internet messages as JSON.
//!
//! ```sh
//! cargo run --example mime-inspect -- [--stream] FILE…
//! ```
//!
//! For each file, one JSON object on one line: `file`, `subject`, `from`,
//! `to`, `cc`, `date` (RFC 3339), `message_id`, `headers` (every field of
//! the top-level header section, name and decoded value) and `part`, the
//! part tree: each part with `content_type`, `params`, `disposition`,
//! `filename`, `charset`, `transfer_encoding`, `decoded_size`, `text` (the
//! decoded text of `text/*` parts), `parts` (of a multipart) or `message`
//! (of a `message/rfc822` part), and `defects`.
//!
//! By default the file is read whole and parsed with `Message::parse`. With
//! `--stream` it is read in 64 KiB chunks through the push parser
//! (`MessageParser`), which never holds the message: the same structure is
//! printed, with decoded sizes but no `text`.
//!
//! Exit status: 0 when every file was read, 1 when one could not be, 2 for
//! a usage error.

use std::io::{Read, Write};
use std::process::ExitCode;

use mailwire::mime::decode::{self, Event, MessageParser, PartInfo, PartKind};
use mailwire::mime::types::{Address, Defect};
use mailwire::mime::{Limits, Message};
use serde_json::{Map, Value, json};

/// The top-level header fields (name, raw value) and the parts.
type Parsed = (Vec<(Vec<u8>, Vec<u8>)>, Vec<PartOut>);

/// What is printed of one part, however it was parsed.
struct PartOut {
    info: PartInfo<'static>,
    decoded_size: usize,
    text: Option<String>,
    defects: Vec<Defect>,
}

fn addresses(list: &[Address]) -> Value {
    Value::Array(
        list.iter()
            .map(|a| match a {
                Address::Mailbox(m) => json!(m.to_string()),
                Address::Group(g) => json!({
                    "group": g.name,
                    "members": g.members.iter().map(|m| m.to_string()).collect::<Vec<_>>(),
                }),
            })
            .collect(),
    )
}

/// The summary fields and the header list, from the top-level fields
/// (name, raw value).
fn header_fields(out: &mut Map<String, Value>, fields: &[(Vec<u8>, Vec<u8>)]) {
    let get = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name.as_bytes()))
            .map(|(_, v)| v.as_slice())
    };
    out.insert(
        "subject".into(),
        get("subject").map_or(Value::Null, |v| json!(decode::unstructured(v))),
    );
    for name in ["from", "to", "cc"] {
        out.insert(
            name.into(),
            get(name).map_or(Value::Null, |v| addresses(&decode::address_list(v).0)),
        );
    }
    out.insert(
        "date".into(),
        get("date")
            .and_then(|v| decode::date_time(v).ok())
            .map_or(Value::Null, |d| json!(d.to_rfc3339())),
    );
    out.insert(
        "message_id".into(),
        get("message-id")
            .and_then(|v| decode::message_ids(v).into_iter().next())
            .map_or(Value::Null, |id| json!(id.as_str())),
    );
    out.insert(
        "headers".into(),
        Value::Array(
            fields
                .iter()
                .map(|(n, v)| {
                    json!({
                        "name": String::from_utf8_lossy(n),
                        "value": decode::unstructured(v),
                    })
                })
                .collect(),
        ),
    );
}

/// The part tree, built bottom-up: a part's children always have larger
/// numbers than the part, so no recursion is needed.
fn tree(parts: Vec<PartOut>) -> Value {
    let mut built: Vec<Option<Value>> = vec![None; parts.len()];
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); parts.len()];
    for p in &parts {
        if let Some(parent) = p.info.parent
            && let Some(c) = children.get_mut(parent)
        {
            c.push(p.info.id);
        }
    }
    for (id, p) in parts.into_iter().enumerate().rev() {
        let info = &p.info;
        let ct = &info.content_type;
        let mut o = Map::new();
        o.insert("content_type".into(), json!(ct.essence()));
        let params: Map<String, Value> = ct
            .parameters
            .iter()
            .map(|p| (p.name.to_string(), json!(p.value)))
            .collect();
        o.insert("params".into(), Value::Object(params));
        o.insert(
            "disposition".into(),
            info.disposition
                .as_ref()
                .map_or(Value::Null, |d| json!(d.kind)),
        );
        let filename = info
            .disposition
            .as_ref()
            .and_then(|d| d.filename())
            .or_else(|| ct.name());
        o.insert("filename".into(), json!(filename));
        o.insert("charset".into(), json!(ct.charset()));
        o.insert(
            "transfer_encoding".into(),
            json!(info.transfer_encoding.as_str()),
        );
        o.insert("decoded_size".into(), json!(p.decoded_size));
        if let Some(text) = &p.text {
            o.insert("text".into(), json!(text));
        }
        let mut kids: Vec<Value> = children[id]
            .iter()
            .filter_map(|&c| built.get_mut(c).and_then(Option::take))
            .collect();
        match info.kind {
            PartKind::Multipart => {
                o.insert("parts".into(), Value::Array(kids));
            }
            PartKind::Message | PartKind::EncodedMessage { .. } => {
                o.insert("message".into(), kids.pop().unwrap_or(Value::Null));
            }
            _ => {}
        }
        let mut defects = p.defects;
        defects.sort_by_key(|d| d.offset);
        o.insert(
            "defects".into(),
            Value::Array(
                defects
                    .iter()
                    .map(|d| json!({"offset": d.offset, "kind": format!("{:?}", d.kind)}))
                    .collect(),
            ),
        );
        built[id] = Some(Value::Object(o));
    }
    built.into_iter().next().flatten().unwrap_or(Value::Null)
}

/// Parses `input` whole.
fn whole(input: &[u8]) -> Parsed {
    let message = Message::parse(input);
    let fields = message
        .root()
        .headers()
        .iter()
        .map(|f| (f.name().to_vec(), f.raw_value().to_vec()))
        .collect();
    let parts = message
        .parts()
        .map(|p| {
            let (decoded, decode_defects) = p.decoded();
            let mut defects = p.defects().to_vec();
            if matches!(p.kind(), PartKind::Leaf | PartKind::EncodedMessage { .. }) {
                defects.extend(decode_defects);
            }
            PartOut {
                info: p.info().clone().into_owned(),
                decoded_size: decoded.len(),
                text: p.text().map(|t| t.into_owned()),
                defects,
            }
        })
        .collect();
    (fields, parts)
}

/// Reads `file` in 64 KiB chunks through the push parser.
fn stream(file: &mut impl Read) -> std::io::Result<Parsed> {
    let mut parser = MessageParser::new(&Limits::default()).decode_bodies(true);
    let mut fields = Vec::new();
    let mut parts: Vec<PartOut> = Vec::new();
    let mut sink = |event: Event<'_>| match event {
        Event::PartStart { info, .. } => parts.push(PartOut {
            info: info.clone().into_owned(),
            decoded_size: 0,
            text: None,
            defects: Vec::new(),
        }),
        Event::Header { part: 0, field } => {
            fields.push((field.name().to_vec(), field.raw_value().to_vec()));
        }
        Event::Body { part, data, .. } => {
            if let Some(p) = parts.get_mut(part) {
                p.decoded_size += data.len();
            }
        }
        Event::Defect { part, defect } => {
            if let Some(p) = parts.get_mut(part) {
                p.defects.push(defect);
            }
        }
        Event::PartEnd(end) => {
            if let Some(p) = parts.get_mut(end.id)
                && matches!(p.info.kind, PartKind::Multipart | PartKind::Message)
            {
                p.decoded_size = end.body.len();
            }
        }
        _ => {}
    };
    let mut buf = vec![0; 64 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        parser.push(&buf[..n], &mut sink);
    }
    parser.finish(&mut sink);
    Ok((fields, parts))
}

fn main() -> ExitCode {
    let mut streaming = false;
    let mut files = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--stream" => streaming = true,
            "-h" | "--help" => {
                println!("usage: mime-inspect [--stream] FILE...");
                return ExitCode::SUCCESS;
            }
            _ => files.push(arg),
        }
    }
    if files.is_empty() {
        eprintln!("usage: mime-inspect [--stream] FILE...");
        return ExitCode::from(2);
    }
    let mut status = ExitCode::SUCCESS;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for path in files {
        let parsed = if streaming {
            std::fs::File::open(&path).and_then(|mut f| stream(&mut f))
        } else {
            std::fs::read(&path).map(|input| whole(&input))
        };
        let value = match parsed {
            Ok((fields, parts)) => {
                let mut o = Map::new();
                o.insert("file".into(), json!(path));
                header_fields(&mut o, &fields);
                o.insert("part".into(), tree(parts));
                Value::Object(o)
            }
            Err(e) => {
                status = ExitCode::from(1);
                json!({"file": path, "error": e.to_string()})
            }
        };
        if writeln!(out, "{value}").is_err() {
            return ExitCode::from(1);
        }
    }
    status
}
