#![no_main]
//! Whole messages of arbitrary bytes, split at arbitrary points.
//!
//! The first byte chooses the limits (tight ones make the depth, part and
//! header limits fire) and seeds where the input is cut; the rest is the
//! message. Checks that the whole-message tree (`Message::parse_with`) and
//! the streaming parser fed the cut pieces (`MessageParser`, bodies
//! decoded) give the same parts, byte ranges, decoded bodies and defects;
//! that the message is written back byte for byte; that every range and
//! defect offset lies within its byte stream; and that the parser holds
//! back no more than the limits allow between chunks.

use libfuzzer_sys::fuzz_target;
use mailwire_mime::decode::{Event, MessageParser, PartKind};
use mailwire_mime::types::Defect;
use mailwire_mime::{Limits, Message};

type Summary = (
    usize,
    Option<usize>,
    usize,
    PartKind,
    String,
    std::ops::Range<usize>,
    Option<std::ops::Range<usize>>,
    Option<std::ops::Range<usize>>,
    Vec<u8>,
    Vec<(usize, String)>,
);

fn sorted(d: impl IntoIterator<Item = Defect>) -> Vec<(usize, String)> {
    let mut v: Vec<_> = d
        .into_iter()
        .map(|d| (d.offset, format!("{:?}", d.kind)))
        .collect();
    v.sort();
    v
}

fn leafish(kind: PartKind) -> bool {
    matches!(kind, PartKind::Leaf | PartKind::EncodedMessage { .. })
}

fuzz_target!(|data: &[u8]| {
    let Some((&seed, input)) = data.split_first() else {
        return;
    };
    let mut limits = Limits::default();
    if seed & 1 == 1 {
        limits.max_depth = 3;
        limits.part_count = 8;
        limits.header_count = 4;
        limits.header_bytes = 64;
        limits.line_length = 20;
    }

    // Whole.
    let message = Message::parse_with(input, &limits);
    assert_eq!(message.root().raw(), input);
    assert!(message.parts().len() <= limits.part_count);
    let whole: Vec<Summary> = message
        .parts()
        .map(|p| {
            let info = p.info();
            assert!(info.depth <= limits.max_depth);
            let (decoded, decode_defects) = p.decoded();
            let body = p.body_range();
            assert!(info.start <= info.body_start && info.body_start <= body.start);
            let _ = p.raw();
            let _ = p.text();
            let _ = p.headers().iter().count();
            let leaf = leafish(info.kind);
            (
                info.id,
                info.parent,
                info.layer,
                info.kind,
                info.content_type.essence(),
                body,
                p.preamble_range(),
                p.epilogue_range(),
                if leaf {
                    decoded.into_owned()
                } else {
                    Vec::new()
                },
                sorted(p.defects().iter().copied().chain(if leaf {
                    decode_defects
                } else {
                    Vec::new()
                })),
            )
        })
        .collect();
    for (id, d) in message.defects() {
        let p = message.part(id).unwrap();
        if p.info().layer == 0 {
            assert!(d.offset <= input.len(), "{d:?}");
        }
    }

    // Streamed, in pieces cut at pseudo-random points.
    let mut parser = MessageParser::new(&limits).decode_bodies(true);
    let mut parts: Vec<Summary> = Vec::new();
    let mut sink = |event: Event<'_>| match event {
        Event::PartStart { info, .. } => parts.push((
            info.id,
            info.parent,
            info.layer,
            info.kind,
            info.content_type.essence(),
            0..0,
            None,
            None,
            Vec::new(),
            Vec::new(),
        )),
        Event::Body { part, data, .. } => parts[part].8.extend_from_slice(data),
        Event::Defect { part, defect } => parts[part]
            .9
            .push((defect.offset, format!("{:?}", defect.kind))),
        Event::PartEnd(end) => {
            let p = &mut parts[end.id];
            p.5 = end.body.clone();
            p.6 = end.preamble.clone();
            p.7 = end.epilogue.clone();
        }
        _ => {}
    };
    let mut state = u32::from(seed) | 0x9e37_0000;
    let mut rest = input;
    while !rest.is_empty() {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let n = ((state >> 16) as usize % 64).min(rest.len());
        let (chunk, tail) = rest.split_at(n);
        parser.push(chunk, &mut sink);
        rest = tail;
        // Held back: header sections, a possible delimiter line per stream.
        let bound = (limits.header_bytes + 2 * 998 + 16) * (limits.max_depth + 2) + 64;
        assert!(
            parser.buffered() <= bound,
            "{} > {bound}",
            parser.buffered()
        );
    }
    parser.finish(&mut sink);
    for p in &mut parts {
        p.9.sort();
        if !leafish(p.3) {
            p.8.clear();
        }
    }
    assert_eq!(whole, parts);
});
