//! Shared by the message tests: one summary of a parsed message, built
//! from the streaming parser's events or from the whole-message tree, so
//! the two can be compared.

#![allow(dead_code)]

use std::ops::Range;

use mailwire_mime::decode::{Event, MessageParser, PartKind};
use mailwire_mime::types::Defect;
use mailwire_mime::{Limits, Message};

/// What a test compares of one part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PartSummary {
    pub(crate) id: usize,
    pub(crate) parent: Option<usize>,
    pub(crate) depth: usize,
    pub(crate) layer: usize,
    pub(crate) kind: PartKind,
    pub(crate) content_type: String,
    pub(crate) params: Vec<(String, String)>,
    pub(crate) transfer_encoding: String,
    pub(crate) fields: Vec<(Vec<u8>, Vec<u8>)>,
    pub(crate) start: usize,
    pub(crate) body: Range<usize>,
    pub(crate) preamble: Option<Range<usize>>,
    pub(crate) epilogue: Option<Range<usize>>,
    /// Decoded body of leaves and encoded messages; empty for others.
    pub(crate) decoded: Vec<u8>,
    /// Every defect, transfer decoding included, sorted.
    pub(crate) defects: Vec<(usize, String)>,
}

fn sorted(defects: impl IntoIterator<Item = Defect>) -> Vec<(usize, String)> {
    let mut v: Vec<_> = defects
        .into_iter()
        .map(|d| (d.offset, format!("{:?}", d.kind)))
        .collect();
    v.sort();
    v
}

/// Parses `input` pushed in the pieces `chunks` (their concatenation
/// must be `input`), bodies decoded.
pub(crate) fn stream<'a>(
    chunks: impl IntoIterator<Item = &'a [u8]>,
    limits: &Limits,
) -> Vec<PartSummary> {
    let mut parser = MessageParser::new(limits).decode_bodies(true);
    let mut parts: Vec<PartSummary> = Vec::new();
    let mut defects: Vec<Vec<Defect>> = Vec::new();
    let mut sink = |event: Event<'_>| match event {
        Event::PartStart { info, headers } => {
            assert_eq!(info.id, parts.len());
            parts.push(PartSummary {
                id: info.id,
                parent: info.parent,
                depth: info.depth,
                layer: info.layer,
                kind: info.kind,
                content_type: info.content_type.essence(),
                params: info
                    .content_type
                    .parameters
                    .iter()
                    .map(|p| (p.name.to_string(), p.value.to_string()))
                    .collect(),
                transfer_encoding: info.transfer_encoding.as_str().to_string(),
                fields: headers
                    .iter()
                    .map(|f| (f.name().to_vec(), f.raw_value().to_vec()))
                    .collect(),
                start: info.start,
                body: 0..0,
                preamble: None,
                epilogue: None,
                decoded: Vec::new(),
                defects: Vec::new(),
            });
            defects.push(Vec::new());
        }
        Event::Body { part, data, .. } => parts[part].decoded.extend_from_slice(data),
        Event::Defect { part, defect } => defects[part].push(defect),
        Event::PartEnd(end) => {
            let p = &mut parts[end.id];
            p.body = end.body.clone();
            p.preamble = end.preamble.clone();
            p.epilogue = end.epilogue.clone();
        }
        _ => {}
    };
    for chunk in chunks {
        parser.push(chunk, &mut sink);
    }
    parser.finish(&mut sink);
    for (p, d) in parts.iter_mut().zip(defects) {
        p.defects = sorted(d);
    }
    parts
}

/// Parses `input` whole, through [`Message`].
pub(crate) fn whole(input: &[u8], limits: &Limits) -> Vec<PartSummary> {
    let message = Message::parse_with(input, limits);
    message
        .parts()
        .map(|part| {
            let info = part.info();
            let (decoded, decode_defects) = part.decoded();
            let leafish = matches!(
                part.kind(),
                PartKind::Leaf | PartKind::EncodedMessage { .. }
            );
            PartSummary {
                id: part.id(),
                parent: info.parent,
                depth: info.depth,
                layer: info.layer,
                kind: info.kind,
                content_type: info.content_type.essence(),
                params: info
                    .content_type
                    .parameters
                    .iter()
                    .map(|p| (p.name.to_string(), p.value.to_string()))
                    .collect(),
                transfer_encoding: info.transfer_encoding.as_str().to_string(),
                fields: part
                    .headers()
                    .iter()
                    .map(|f| (f.name().to_vec(), f.raw_value().to_vec()))
                    .collect(),
                start: info.start,
                body: part.body_range(),
                preamble: part.preamble_range(),
                epilogue: part.epilogue_range(),
                decoded: if leafish {
                    decoded.into_owned()
                } else {
                    Vec::new()
                },
                defects: sorted(part.defects().iter().copied().chain(if leafish {
                    decode_defects
                } else {
                    Vec::new()
                })),
            }
        })
        .collect()
}

/// Whole and streamed at chunk sizes 1, 7 and 64 KiB agree; returns the
/// whole summary.
pub(crate) fn check(input: &[u8], limits: &Limits) -> Vec<PartSummary> {
    let w = whole(input, limits);
    for size in [1, 7, 65536] {
        let s = stream(input.chunks(size), limits);
        assert_eq!(w, s, "chunk size {size}");
    }
    w
}
