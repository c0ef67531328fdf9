#![no_main]
//! Decodes arbitrary bytes as an IMAP server greeting and checks properties:
//! no panic, `decode(encode(x)) == x` for every greeting decoded, the
//! streaming decoder agrees with itself however the input is split, and
//! modified UTF-7 names that decode re-encode to the same bytes.

use libfuzzer_sys::fuzz_target;
use mailwire_imap::Limits;
use mailwire_imap::decode::{self, DecodeError, GreetingDecoder};
use mailwire_imap::encode::{self, Encode};
use mailwire_imap::types::{Greeting, Mailbox, utf7};

fn stream(
    data: &[u8],
    chunk: usize,
    limits: Limits,
) -> (Vec<Result<Greeting<'static>, DecodeError>>, Vec<u8>) {
    let mut d = GreetingDecoder::new(limits);
    let mut out = Vec::new();
    for c in data.chunks(chunk.max(1)) {
        d.push(c);
        while let Some(r) = d.next_greeting() {
            out.push(r);
        }
    }
    (out, d.buffered().to_vec())
}

fuzz_target!(|data: &[u8]| {
    let mut limits = Limits::default();
    limits.line_length = 256;

    // Stateless: every greeting round-trips.
    if let Ok(decoded) = decode::greeting(data, &limits)
        && let Some((g, used)) = decoded.complete()
    {
        assert!(used <= data.len());
        let wire = g.to_bytes();
        let (back, n) = decode::greeting(&wire, &Limits::default())
            .expect("an encoded greeting decodes")
            .complete()
            .expect("an encoded greeting is complete");
        assert_eq!(n, wire.len());
        assert_eq!(back, g);
    }

    // Streaming: the same results for any chunking.
    let whole = stream(data, data.len(), limits);
    for chunk in [1, 2, 3, 7, 13, 64] {
        assert_eq!(stream(data, chunk, limits), whole, "chunk {chunk}");
    }
    for r in whole.0.iter().flatten() {
        let wire = r.to_bytes();
        let (back, _) = decode::greeting(&wire, &Limits::default())
            .unwrap()
            .complete()
            .unwrap();
        assert_eq!(&back, r);
    }

    // Modified UTF-7: decoded names re-encode to the same bytes and decode
    // to themselves; lossy decoding agrees with strict decoding.
    let lossy = utf7::decode_lossy(data);
    match utf7::decode(data) {
        Ok(name) => {
            assert!(lossy.errors.is_empty());
            assert_eq!(lossy.name, name);
            let encoded = utf7::encode(&name);
            assert_eq!(encoded.as_bytes(), data);
            assert_eq!(utf7::decode(encoded.as_bytes()).unwrap(), name);
        }
        Err(e) => {
            assert_eq!(lossy.errors.first(), Some(&e));
            assert!(e.offset < data.len());
        }
    }
    // Any string (here the lossy reading) survives encoding.
    let encoded = utf7::encode(&lossy.name);
    assert_eq!(utf7::decode(encoded.as_bytes()).unwrap(), lossy.name);

    // Mailbox names: what decodes re-encodes (or needs a literal) and decodes
    // to itself.
    if let Ok(decoded) = decode::mailbox(data)
        && let Some((m, _)) = decoded.complete()
    {
        let mut wire = Vec::new();
        if encode::mailbox(&m, &mut wire).is_ok() {
            wire.push(b' ');
            let (back, _): (Mailbox<'_>, usize) =
                decode::mailbox(&wire).unwrap().complete().unwrap();
            assert_eq!(back, m);
        }
    }
});
