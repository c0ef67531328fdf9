//! Property tests for message data: the DATA decoder gives the same body
//! and end however its input is split, `decode(encode(body))` is the
//! normalised body with exactly one end at the very end, and BDAT chunks
//! are framed by their size.

#![allow(clippy::field_reassign_with_default)]

use mailwire_smtp::decode::{BdatChunk, CommandDecoder, DataChunk, DataDecoder, DataEnd};
use mailwire_smtp::encode::{DataEncoder, DataOptions, LongLines};
use mailwire_smtp::types::{Command, Stop};
use mailwire_smtp::{BareLineEnd, Limits, NulByte};
use proptest::prelude::*;

/// Bytes rich in what matters to the framing.
fn wire() -> impl Strategy<Value = Vec<u8>> {
    let atom = prop_oneof![
        4 => Just(b"\r\n".to_vec()),
        2 => Just(b"\r\n.".to_vec()),
        2 => Just(b"\r\n.\r\n".to_vec()),
        1 => Just(b"\r".to_vec()),
        1 => Just(b"\n".to_vec()),
        2 => Just(b".".to_vec()),
        1 => Just(vec![0]),
        6 => proptest::collection::vec(any::<u8>(), 0..12),
    ];
    proptest::collection::vec(atom, 0..40).prop_map(|v| v.concat())
}

fn policy() -> impl Strategy<Value = Limits> {
    let line_end = prop_oneof![
        Just(BareLineEnd::Reject),
        Just(BareLineEnd::Keep),
        Just(BareLineEnd::Normalise)
    ];
    let nul = prop_oneof![
        Just(NulByte::Reject),
        Just(NulByte::Keep),
        Just(NulByte::Strip)
    ];
    (line_end.clone(), line_end, nul, 0..200usize, 0..400u64).prop_map(
        |(cr, lf, nul, line, size)| {
            let mut limits = Limits::default();
            limits.data_policy.bare_cr = cr;
            limits.data_policy.bare_lf = lf;
            limits.data_policy.nul = nul;
            limits.data_line = line;
            limits.message_size = size;
            limits
        },
    )
}

type Outcome = (Vec<u8>, Option<DataEnd>, usize);

/// Decodes `input` split at `cuts`, the way a caller keeps unconsumed
/// bytes: the body, the end and the bytes consumed.
fn split(input: &[u8], cuts: &[usize], limits: Limits) -> Outcome {
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
    points.push(input.len());
    points.sort_unstable();
    let mut d = DataDecoder::new(limits);
    let mut body = Vec::new();
    let mut from = 0;
    for p in points {
        if let Some((end, used)) = d.decode_into(&input[from..p], |b| body.extend_from_slice(b)) {
            return (body, Some(end), from + used);
        }
        from = p;
    }
    (body, None, input.len())
}

/// The same through [`CommandDecoder::next_data`], with `Bytes` pieces.
fn through_commands(input: &[u8], cuts: &[usize], limits: Limits) -> Outcome {
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
    points.push(input.len());
    points.sort_unstable();
    let mut c = CommandDecoder::new(limits);
    c.push(b"DATA\r\n");
    assert_eq!(c.next_command(), Some(Ok(Command::Data)));
    let mut d = DataDecoder::new(limits);
    let mut body = Vec::new();
    let mut from = 0;
    for p in points {
        c.push(&input[from..p]);
        from = p;
        while let Some(chunk) = c.next_data(&mut d) {
            match chunk {
                DataChunk::Body(b) => body.extend_from_slice(&b),
                DataChunk::End(end) => {
                    assert_eq!(c.stopped(), None);
                    let used = c.offset() - 6;
                    return (body, Some(end), used);
                }
            }
        }
    }
    (body, None, input.len())
}

/// Bare CR and LF as CRLF, and a final CRLF: the default encoder's body.
fn normalised(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < body.len() {
        match (body[i], body.get(i + 1)) {
            (b'\r', Some(b'\n')) => {
                out.extend_from_slice(b"\r\n");
                i += 2;
                continue;
            }
            (b'\r' | b'\n', _) => out.extend_from_slice(b"\r\n"),
            (b, _) => out.push(b),
        }
        i += 1;
    }
    if !out.is_empty() && !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

fn encode(body: &[u8], cuts: &[usize], options: DataOptions) -> Vec<u8> {
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (body.len() + 1)).collect();
    points.push(body.len());
    points.sort_unstable();
    let mut e = DataEncoder::new(options);
    let mut out = Vec::new();
    let mut from = 0;
    for p in points {
        e.push(&body[from..p], &mut out).unwrap();
        from = p;
    }
    e.finish(&mut out).unwrap();
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn decoding_is_split_invariant(
        input in wire(),
        cuts in proptest::collection::vec(any::<usize>(), 0..6),
        limits in policy(),
    ) {
        let whole = split(&input, &[], limits);
        prop_assert_eq!(&split(&input, &cuts, limits), &whole);
        prop_assert_eq!(&through_commands(&input, &cuts, limits), &whole);
        // Every chunk size, too.
        for n in [1, 2, 3, 5] {
            let cuts: Vec<usize> = (1..input.len()).step_by(n).collect();
            prop_assert_eq!(&split(&input, &cuts, limits), &whole);
        }
        // Memory never grows: what is handed out is bounded by the limit.
        prop_assert!(whole.0.len() as u64 <= limits.message_size);
    }

    #[test]
    fn encoded_bodies_decode_back_with_one_end_at_the_end(
        body in wire(),
        cuts in proptest::collection::vec(any::<usize>(), 0..6),
        dcuts in proptest::collection::vec(any::<usize>(), 0..6),
    ) {
        let mut options = DataOptions::default();
        options.long_lines = LongLines::Allow;
        let encoded = encode(&body, &cuts, options);
        prop_assert_eq!(&encode(&body, &[], options), &encoded);
        let mut limits = Limits::default();
        limits.data_policy.nul = NulByte::Keep;
        limits.data_line = usize::MAX;
        // Exactly one end, at the very end, however the wire is split.
        let (decoded, end, used) = split(&encoded, &dcuts, limits);
        prop_assert_eq!(used, encoded.len());
        let end = end.unwrap();
        prop_assert!(end.is_accepted());
        prop_assert_eq!(end.defects.bare_cr + end.defects.bare_lf, 0);
        prop_assert_eq!(&decoded, &normalised(&body));
        prop_assert_eq!(end.size, decoded.len() as u64);
    }

    #[test]
    fn long_lines_are_counted_exactly(
        lens in proptest::collection::vec(0..1300usize, 1..30),
        dots in proptest::collection::vec(any::<bool>(), 30),
        cuts in proptest::collection::vec(any::<usize>(), 0..6),
        limit in 900..1100usize,
    ) {
        let mut wire = Vec::new();
        let mut expected = 0;
        for (i, len) in lens.iter().enumerate() {
            if dots[i] && *len > 0 {
                // Stuffed: not counted in the length.
                wire.push(b'.');
            }
            wire.extend(b"abcdefghijklmnopqrstuvwxyz".iter().cycle().take(*len));
            wire.extend_from_slice(b"\r\n");
            if len + 2 > limit {
                expected += 1;
            }
        }
        wire.extend_from_slice(b".\r\n");
        let mut limits = Limits::default();
        limits.data_line = limit;
        let whole = split(&wire, &[], limits);
        prop_assert_eq!(&split(&wire, &cuts, limits), &whole);
        let end = whole.1.unwrap();
        prop_assert_eq!(whole.2, wire.len());
        prop_assert_eq!(end.defects.long_lines, expected);
    }

    #[test]
    fn wrapped_lines_stay_within_the_limit(body in wire(), max in 1..20usize) {
        let mut options = DataOptions::default();
        options.max_line = max;
        let encoded = encode(&body, &[], options);
        let mut limits = Limits::default();
        limits.data_policy.nul = NulByte::Keep;
        limits.data_line = max + 2;
        let (decoded, end, used) = split(&encoded, &[], limits);
        prop_assert_eq!(used, encoded.len());
        let end = end.unwrap();
        prop_assert_eq!(end.defects.long_lines, 0);
        // Wrapping only adds line ends.
        let strip = |b: &[u8]| b.iter().copied().filter(|&c| c != b'\r' && c != b'\n').collect::<Vec<_>>();
        prop_assert_eq!(strip(&decoded), strip(&body));
    }

    #[test]
    fn bdat_chunks_are_framed_by_size(
        chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 1..5),
        cuts in proptest::collection::vec(any::<usize>(), 0..8),
    ) {
        let mut stream = Vec::new();
        for (i, c) in chunks.iter().enumerate() {
            let last = if i + 1 == chunks.len() { " LAST" } else { "" };
            stream.extend_from_slice(format!("BDAT {}{last}\r\n", c.len()).as_bytes());
            stream.extend_from_slice(c);
        }
        stream.extend_from_slice(b"QUIT\r\n");
        let mut points: Vec<usize> = cuts.iter().map(|c| c % (stream.len() + 1)).collect();
        points.push(stream.len());
        points.sort_unstable();
        let mut d = CommandDecoder::new(Limits::default());
        let mut got: Vec<Vec<u8>> = Vec::new();
        let mut current: Option<BdatChunk> = None;
        let mut commands = Vec::new();
        let mut from = 0;
        for p in points {
            d.push(&stream[from..p]);
            from = p;
            loop {
                if let Some(chunk) = current.as_mut() {
                    while let Some(part) = d.next_bdat(chunk) {
                        got.last_mut().unwrap().extend_from_slice(&part);
                    }
                    if !chunk.is_complete() {
                        break;
                    }
                    current = None;
                }
                match d.next_command() {
                    Some(Ok(cmd)) => {
                        if let Some(stop @ Stop::Bdat { .. }) = cmd.stop() {
                            current = BdatChunk::from_stop(stop);
                            got.push(Vec::new());
                        }
                        commands.push(cmd);
                    }
                    Some(Err(e)) => panic!("{e}"),
                    None => break,
                }
            }
        }
        prop_assert_eq!(&got, &chunks);
        prop_assert_eq!(commands.last(), Some(&Command::Quit));
        prop_assert_eq!(commands.len(), chunks.len() + 1);
    }
}

#[test]
fn a_huge_announced_chunk_allocates_nothing() {
    let mut d = CommandDecoder::new(Limits::default());
    d.push(b"BDAT 18446744073709551615 LAST\r\nabc");
    assert!(d.next_command().unwrap().is_ok());
    let mut chunk = BdatChunk::from_stop(d.stopped().unwrap()).unwrap();
    assert_eq!(&d.next_bdat(&mut chunk).unwrap()[..], b"abc");
    assert!(d.next_bdat(&mut chunk).is_none());
    assert_eq!(chunk.remaining(), u64::MAX - 3);
    assert!(d.buffered().is_empty());
    assert!(d.next_command().is_none(), "still inside the chunk");
}

#[test]
fn a_ten_megabyte_body_is_never_buffered() {
    let line = b"0123456789012345678901234567890123456789012345678901234567890123456789\r\n";
    let mut d = CommandDecoder::new(Limits::default());
    d.push(b"DATA\r\n");
    d.next_command().unwrap().unwrap();
    let mut data = DataDecoder::new(Limits::default());
    let mut size = 0;
    for _ in 0..150_000 {
        d.push(line);
        while let Some(chunk) = d.next_data(&mut data) {
            let DataChunk::Body(b) = chunk else { panic!() };
            size += b.len();
        }
        assert!(d.buffered().len() <= line.len());
    }
    d.push(b".\r\n");
    assert!(matches!(d.next_data(&mut data), Some(DataChunk::End(_))));
    assert_eq!(size, 150_000 * line.len());
}
