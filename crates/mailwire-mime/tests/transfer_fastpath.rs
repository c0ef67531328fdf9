//! The transfer decoders' fast paths (whole base64 blocks, runs of
//! quoted-printable escapes) give what the byte-by-byte path gives — fed
//! one octet per call, a decoder never takes a fast path — and what a plain
//! reference decoder gives on clean input, whatever the chunking.

use base64::Engine as _;
use mailwire_mime::decode::TransferDecoder;
use mailwire_mime::types::TransferEncoding;
use proptest::prelude::*;

type Decoded = (Vec<u8>, Vec<(usize, String)>);

fn decode_chunks<'a>(enc: &TransferEncoding, chunks: impl Iterator<Item = &'a [u8]>) -> Decoded {
    let mut d = TransferDecoder::new(enc, 0);
    let (mut out, mut defects) = (Vec::new(), Vec::new());
    for c in chunks {
        d.decode(c, &mut out, &mut defects);
    }
    d.finish(&mut out, &mut defects);
    let defects = defects
        .iter()
        .map(|d| (d.offset, format!("{:?}", d.kind)))
        .collect();
    (out, defects)
}

fn whole(enc: &TransferEncoding, input: &[u8]) -> Decoded {
    decode_chunks(enc, std::iter::once(input))
}

fn bytewise(enc: &TransferEncoding, input: &[u8]) -> Decoded {
    decode_chunks(enc, input.chunks(1))
}

fn split(enc: &TransferEncoding, input: &[u8], cuts: &[prop::sample::Index]) -> Decoded {
    let mut points: Vec<usize> = cuts.iter().map(|i| i.index(input.len() + 1)).collect();
    points.sort_unstable();
    let mut pieces = Vec::new();
    let mut last = 0;
    for p in points.into_iter().chain([input.len()]) {
        pieces.push(&input[last..p]);
        last = p;
    }
    decode_chunks(enc, pieces.into_iter())
}

/// Base64 text in lines of `width`, with a few bytes replaced or inserted
/// at random places: bad characters, white space, stray padding.
fn noisy_base64() -> impl Strategy<Value = Vec<u8>> {
    (
        proptest::collection::vec(any::<u8>(), 0..400),
        4usize..90,
        any::<bool>(),
        proptest::collection::vec(
            (
                any::<prop::sample::Index>(),
                prop::sample::select(b"!*=- \t\r\n\x00\xff.".to_vec()),
                any::<bool>(),
            ),
            0..6,
        ),
    )
        .prop_map(|(bytes, width, crlf, noise)| {
            let text = base64::engine::general_purpose::STANDARD.encode(&bytes);
            let nl: &[u8] = if crlf { b"\r\n" } else { b"\n" };
            let mut wire = Vec::new();
            for line in text.as_bytes().chunks(width) {
                wire.extend_from_slice(line);
                wire.extend_from_slice(nl);
            }
            for (at, byte, insert) in noise {
                let at = at.index(wire.len() + 1);
                if insert || at == wire.len() {
                    wire.insert(at, byte);
                } else {
                    wire[at] = byte;
                }
            }
            wire
        })
}

/// Quoted-printable heavy in escapes, valid and not, and soft line
/// breaks, with white space in odd places.
fn noisy_qp() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop_oneof![
            6 => any::<u8>().prop_map(|b| format!("={b:02X}").into_bytes()),
            1 => any::<u8>().prop_map(|b| format!("={b:02x}").into_bytes()),
            2 => Just(b"=\r\n".to_vec()),
            1 => Just(b"=\n".to_vec()),
            1 => Just(b"= \r\n".to_vec()),
            2 => prop::sample::select(vec![
                b"=".to_vec(), b"=G".to_vec(), b"=4".to_vec(), b"=\r".to_vec(),
                b" ".to_vec(), b"\t".to_vec(), b"\r\n".to_vec(), b"\n".to_vec(),
                b"  \r\n".to_vec(), b"\r".to_vec(),
            ]),
            3 => proptest::collection::vec(prop::sample::select(b"abcXYZ09 .,".to_vec()), 1..30),
        ],
        0..80,
    )
    .prop_map(|pieces| pieces.concat())
}

/// Base64 as RFC 4648 reads it, after every byte outside the alphabet is
/// dropped; a last lone digit is dropped.
fn base64_reference(input: &[u8]) -> Vec<u8> {
    let mut digits: Vec<u8> = input
        .iter()
        .copied()
        .filter(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/')
        .collect();
    if digits.len() % 4 == 1 {
        digits.pop();
    }
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireNone)
            .with_decode_allow_trailing_bits(true),
    );
    engine.decode(&digits).unwrap_or_default()
}

/// Quoted-printable made only of escapes, soft line breaks, letters and
/// CRLF line breaks, and its decoding.
fn clean_qp() -> impl Strategy<Value = (Vec<u8>, Vec<u8>)> {
    proptest::collection::vec(
        prop_oneof![
            any::<u8>().prop_map(|b| (format!("={b:02X}").into_bytes(), vec![b])),
            Just((b"=\r\n".to_vec(), Vec::new())),
            Just((b"\r\n".to_vec(), b"\r\n".to_vec())),
            prop::sample::select(b"abcXYZ09.,".to_vec()).prop_map(|b| (vec![b], vec![b])),
        ],
        0..200,
    )
    .prop_map(|pieces| {
        let (wire, plain): (Vec<_>, Vec<_>) = pieces.into_iter().unzip();
        (wire.concat(), plain.concat())
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn base64_fast_equals_bytewise(input in noisy_base64(), cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..6)) {
        let slow = bytewise(&TransferEncoding::Base64, &input);
        prop_assert_eq!(&whole(&TransferEncoding::Base64, &input), &slow);
        prop_assert_eq!(&split(&TransferEncoding::Base64, &input, &cuts), &slow);
    }

    #[test]
    fn base64_matches_reference_without_padding(input in noisy_base64(), cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..6)) {
        let input: Vec<u8> = input.into_iter().filter(|&b| b != b'=').collect();
        prop_assert_eq!(split(&TransferEncoding::Base64, &input, &cuts).0, base64_reference(&input));
    }

    #[test]
    fn base64_arbitrary_bytes(input in proptest::collection::vec(any::<u8>(), 0..300), cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..6)) {
        let slow = bytewise(&TransferEncoding::Base64, &input);
        prop_assert_eq!(&split(&TransferEncoding::Base64, &input, &cuts), &slow);
    }

    #[test]
    fn qp_fast_equals_bytewise(input in noisy_qp(), cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..6)) {
        let slow = bytewise(&TransferEncoding::QuotedPrintable, &input);
        prop_assert_eq!(&whole(&TransferEncoding::QuotedPrintable, &input), &slow);
        prop_assert_eq!(&split(&TransferEncoding::QuotedPrintable, &input, &cuts), &slow);
    }

    #[test]
    fn qp_matches_reference((wire, plain) in clean_qp(), cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..6)) {
        let (out, defects) = split(&TransferEncoding::QuotedPrintable, &wire, &cuts);
        prop_assert_eq!(out, plain);
        prop_assert!(defects.is_empty());
    }

    #[test]
    fn qp_arbitrary_bytes(input in proptest::collection::vec(any::<u8>(), 0..300), cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..6)) {
        let slow = bytewise(&TransferEncoding::QuotedPrintable, &input);
        prop_assert_eq!(&split(&TransferEncoding::QuotedPrintable, &input, &cuts), &slow);
    }
}

#[test]
fn long_clean_inputs_take_the_fast_path_and_agree() {
    let bytes: Vec<u8> = (0..100_000u32)
        .map(|i| i.wrapping_mul(2_654_435_761).to_be_bytes()[1])
        .collect();
    let text = base64::engine::general_purpose::STANDARD.encode(&bytes);
    let mut wire = Vec::new();
    for line in text.as_bytes().chunks(76) {
        wire.extend_from_slice(line);
        wire.extend_from_slice(b"\r\n");
    }
    let (out, defects) = whole(&TransferEncoding::Base64, &wire);
    assert_eq!(out, bytes);
    assert!(defects.is_empty());
    assert_eq!(bytewise(&TransferEncoding::Base64, &wire), (out, defects));

    let qp: Vec<u8> = bytes
        .iter()
        .flat_map(|b| format!("={b:02X}").into_bytes())
        .collect();
    let (out, defects) = whole(&TransferEncoding::QuotedPrintable, &qp);
    assert_eq!(out, bytes);
    assert!(defects.is_empty());
}
