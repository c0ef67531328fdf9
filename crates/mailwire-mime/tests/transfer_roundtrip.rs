//! Property tests of the transfer decoders: what an encoder writes decodes
//! back, and any input, however garbled, decodes the same (output and
//! defects) however it is split into chunks.

use base64::Engine as _;
use mailwire_mime::decode::{TransferDecoder, transfer_decode};
use mailwire_mime::types::TransferEncoding;
use proptest::prelude::*;

fn split_decode(
    enc: &TransferEncoding,
    input: &[u8],
    cuts: &[prop::sample::Index],
) -> (Vec<u8>, Vec<(usize, String)>) {
    let mut points: Vec<usize> = cuts.iter().map(|i| i.index(input.len() + 1)).collect();
    points.sort_unstable();
    let mut d = TransferDecoder::new(enc, 0);
    let (mut out, mut defects) = (Vec::new(), Vec::new());
    let mut last = 0;
    for p in points.into_iter().chain([input.len()]) {
        d.decode(&input[last..p], &mut out, &mut defects);
        last = p;
    }
    d.finish(&mut out, &mut defects);
    (
        out,
        defects
            .iter()
            .map(|d| (d.offset, format!("{:?}", d.kind)))
            .collect(),
    )
}

fn whole(enc: &TransferEncoding, input: &[u8]) -> (Vec<u8>, Vec<(usize, String)>) {
    let (out, d) = transfer_decode(enc, input);
    (
        out,
        d.iter()
            .map(|d| (d.offset, format!("{:?}", d.kind)))
            .collect(),
    )
}

fn garbage() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop_oneof![
            4 => prop::sample::select(b"ABCxyz019+/= \t\r\n=-".to_vec()),
            1 => any::<u8>(),
        ],
        0..300,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn base64_round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..600), width in 4usize..100, crlf in any::<bool>(), cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..6)) {
        let enc = base64::engine::general_purpose::STANDARD.encode(&bytes);
        let nl: &[u8] = if crlf { b"\r\n" } else { b"\n" };
        let wrapped: Vec<u8> = enc.as_bytes().chunks(width).flat_map(|c| [c, nl].concat()).collect();
        let (out, defects) = split_decode(&TransferEncoding::Base64, &wrapped, &cuts);
        prop_assert_eq!(out, bytes);
        prop_assert!(defects.is_empty());
    }

    #[test]
    fn quoted_printable_round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..600), cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..6)) {
        let enc = quoted_printable::encode(&bytes);
        let (out, defects) = split_decode(&TransferEncoding::QuotedPrintable, &enc, &cuts);
        prop_assert_eq!(out, bytes);
        prop_assert!(defects.is_empty());
    }

    #[test]
    fn split_invariance(input in garbage(), cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..8)) {
        for enc in [TransferEncoding::Base64, TransferEncoding::QuotedPrintable, TransferEncoding::SevenBit] {
            let w = whole(&enc, &input);
            prop_assert_eq!(&split_decode(&enc, &input, &cuts), &w);
            for (offset, _) in &w.1 {
                prop_assert!(*offset <= input.len());
            }
        }
    }
}
