//! Property tests: a generated tree of parts (multiparts, nested messages
//! plain and base64-encoded, leaves in 7bit, base64 and quoted-printable),
//! rendered to bytes with CRLF or LF line ends, parses back to the same
//! structure and decoded bodies, whole and streamed however the input is
//! split.

mod common;

use base64::Engine as _;
use mailwire_mime::decode::PartKind;
use mailwire_mime::{Limits, Message};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Node {
    Leaf {
        subtype: &'static str,
        encoding: &'static str,
        body: Vec<u8>,
    },
    Multipart {
        preamble: String,
        epilogue: String,
        children: Vec<Node>,
    },
    Message {
        encoded: bool,
        inner: Box<Node>,
    },
}

fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec("[a-z ]{0,20}", 0..4).prop_map(|lines| lines.join("\n"))
}

fn leaf() -> impl Strategy<Value = Node> {
    prop_oneof![
        text().prop_map(|t| Node::Leaf {
            subtype: "plain",
            encoding: "7bit",
            body: t.into_bytes(),
        }),
        proptest::collection::vec(any::<u8>(), 0..200).prop_map(|b| Node::Leaf {
            subtype: "octet-stream",
            encoding: "base64",
            body: b,
        }),
        proptest::collection::vec(any::<u8>(), 0..200).prop_map(|b| Node::Leaf {
            subtype: "octet-stream",
            encoding: "quoted-printable",
            body: b,
        }),
    ]
}

fn tree() -> impl Strategy<Value = Node> {
    leaf().prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            (
                text(),
                text(),
                proptest::collection::vec(inner.clone(), 1..4)
            )
                .prop_map(|(preamble, epilogue, children)| Node::Multipart {
                    preamble,
                    epilogue,
                    children,
                }),
            (any::<bool>(), inner).prop_map(|(encoded, inner)| Node::Message {
                encoded,
                inner: Box::new(inner),
            }),
        ]
    })
}

/// `bytes` in base64, in lines of 76.
fn base64_lines(bytes: &[u8], nl: &str) -> Vec<u8> {
    let enc = base64::engine::general_purpose::STANDARD.encode(bytes);
    let lines: Vec<&str> = enc
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    lines.join(nl).into_bytes()
}

/// Renders `node` as an entity (header section and body), with `nl` as
/// line end; boundaries are numbered from `next`.
fn render(node: &Node, nl: &str, next: &mut usize) -> Vec<u8> {
    let mut out = Vec::new();
    match node {
        Node::Leaf {
            subtype,
            encoding,
            body,
        } => {
            let ty = if *subtype == "plain" {
                "text"
            } else {
                "application"
            };
            out.extend_from_slice(
                format!(
                    "Content-Type: {ty}/{subtype}{nl}Content-Transfer-Encoding: {encoding}{nl}{nl}"
                )
                .as_bytes(),
            );
            match *encoding {
                "base64" => out.extend_from_slice(&base64_lines(body, nl)),
                "quoted-printable" => {
                    // Binary mode: CR and LF in the body are `=0D` and
                    // `=0A`, so the only line breaks are soft ones, which
                    // take the rendering's line end; a CRLF in the body
                    // then decodes as CRLF whatever `nl` is.
                    let enc = quoted_printable::encode_binary_to_str(body);
                    out.extend_from_slice(enc.replace("\r\n", nl).as_bytes());
                }
                _ => out.extend_from_slice(
                    String::from_utf8(body.clone())
                        .unwrap()
                        .replace('\n', nl)
                        .as_bytes(),
                ),
            }
        }
        Node::Multipart {
            preamble,
            epilogue,
            children,
        } => {
            *next += 1;
            let b = format!("=_b{next}");
            out.extend_from_slice(
                format!("Content-Type: multipart/mixed; boundary=\"{b}\"{nl}{nl}").as_bytes(),
            );
            if !preamble.is_empty() {
                out.extend_from_slice(preamble.replace('\n', nl).as_bytes());
                out.extend_from_slice(nl.as_bytes());
            }
            for child in children {
                out.extend_from_slice(format!("--{b}{nl}").as_bytes());
                out.extend_from_slice(&render(child, nl, next));
                out.extend_from_slice(nl.as_bytes());
            }
            out.extend_from_slice(format!("--{b}--{nl}").as_bytes());
            out.extend_from_slice(epilogue.replace('\n', nl).as_bytes());
        }
        Node::Message { encoded, inner } => {
            let body = render(inner, nl, next);
            if *encoded {
                out.extend_from_slice(
                    format!(
                        "Content-Type: message/rfc822{nl}Content-Transfer-Encoding: base64{nl}{nl}"
                    )
                    .as_bytes(),
                );
                out.extend_from_slice(&base64_lines(&body, nl));
            } else {
                out.extend_from_slice(format!("Content-Type: message/rfc822{nl}{nl}").as_bytes());
                out.extend_from_slice(&body);
            }
        }
    }
    out
}

/// What the parser should find: per part in order, depth, type, kind and
/// decoded body (leaves only).
fn expected(
    node: &Node,
    depth: usize,
    nl: &str,
    out: &mut Vec<(usize, String, &'static str, Vec<u8>)>,
) {
    match node {
        Node::Leaf {
            subtype,
            body,
            encoding,
            ..
        } => {
            let ty = if *subtype == "plain" {
                "text"
            } else {
                "application"
            };
            let body = if *encoding == "7bit" {
                String::from_utf8(body.clone())
                    .unwrap()
                    .replace('\n', nl)
                    .into_bytes()
            } else {
                body.clone()
            };
            out.push((depth, format!("{ty}/{subtype}"), "leaf", body));
        }
        Node::Multipart { children, .. } => {
            out.push((depth, "multipart/mixed".into(), "multipart", Vec::new()));
            for c in children {
                expected(c, depth + 1, nl, out);
            }
        }
        Node::Message { encoded, inner } => {
            out.push((
                depth,
                "message/rfc822".into(),
                if *encoded { "encoded" } else { "message" },
                Vec::new(),
            ));
            expected(inner, depth + 1, nl, out);
        }
    }
}

fn kind_name(k: PartKind) -> &'static str {
    match k {
        PartKind::Leaf => "leaf",
        PartKind::Multipart => "multipart",
        PartKind::Message => "message",
        PartKind::EncodedMessage { .. } => "encoded",
        _ => "other",
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn rendered_trees_parse_back(node in tree(), crlf in any::<bool>(), cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..8)) {
        let nl = if crlf { "\r\n" } else { "\n" };
        let input = render(&node, nl, &mut 0);
        let mut want = Vec::new();
        expected(&node, 0, nl, &mut want);
        let limits = Limits::default();

        let message = Message::parse(&input);
        prop_assert_eq!(message.root().raw(), &input[..]);
        let got: Vec<_> = message
            .parts()
            .map(|p| {
                let leaf = p.kind() == PartKind::Leaf;
                (
                    p.info().depth,
                    p.content_type().essence(),
                    kind_name(p.kind()),
                    if leaf { p.decoded_bytes().into_owned() } else { Vec::new() },
                )
            })
            .collect();
        prop_assert_eq!(&got, &want);
        // No structural defect but bare LF line ends.
        for (_, d) in message.defects() {
            prop_assert!(
                !crlf && d.kind == mailwire_mime::types::DefectKind::BareLf,
                "{:?}", d
            );
        }
        for p in message.parts() {
            prop_assert!(p.decoded().1.is_empty());
        }

        // Any chunking gives the same as the whole input.
        let whole = common::whole(&input, &limits);
        let mut points: Vec<usize> = cuts.iter().map(|i| i.index(input.len() + 1)).collect();
        points.sort_unstable();
        let mut chunks = Vec::new();
        let mut last = 0;
        for p in points {
            chunks.push(&input[last..p]);
            last = p;
        }
        chunks.push(&input[last..]);
        let streamed = common::stream(chunks, &limits);
        prop_assert_eq!(&streamed, &whole);
        let ones = common::stream(input.chunks(1), &limits);
        prop_assert_eq!(&ones, &whole);
    }
}
