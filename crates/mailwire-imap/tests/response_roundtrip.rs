//! Property tests for server responses: `decode(encode(x)) == x` for
//! arbitrary status, continuation, FETCH, LIST and other data responses,
//! and the streaming decoder gives the same responses however the stream
//! is split.

use std::borrow::Cow;

use mailwire_imap::Limits;
use mailwire_imap::decode::{self, ResponseDecoder};
use mailwire_imap::encode::Encode;
use mailwire_imap::types::{
    Address, Atom, Body, BodyExtension, BodyFields, Capability, Charset, Code, CodeText,
    Continuation, Data, Disposition, ESearch, ESearchItem, Envelope, ExtensionTail, FetchItem,
    Flag, Keyword, ListAttribute, ListData, ListExtended, Mailbox, MetadataEntries, Multipart,
    MultipartExtension, Namespace, ObjectId, OtherData, OtherItem, PartialRange, QuotaResource,
    Response, Section, SectionText, SeqItem, SeqNumber, SequenceSet, SinglePart,
    SinglePartExtension, SinglePartKind, Status, StatusItem, StatusKind, Tag, Text, Thread,
};
use proptest::prelude::*;

type S = Cow<'static, [u8]>;

fn bytes(max: usize) -> impl Strategy<Value = S> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..max),
        "[a-zA-Z0-9 ._\"\\\\-]{0,12}".prop_map(String::into_bytes),
        Just(b"NIL".to_vec()),
    ]
    .prop_map(Cow::Owned)
}

// The strategies below are boxed: nesting their concrete types makes
// proptest's value-tree construction use stack frames large enough to
// overflow a test thread's stack in debug builds.
fn nstring() -> BoxedStrategy<Option<S>> {
    prop::option::of(bytes(20)).boxed()
}

fn chars(re: &'static str) -> impl Strategy<Value = String> {
    proptest::string::string_regex(re).unwrap()
}

fn atom() -> impl Strategy<Value = Atom<'static>> {
    chars("[A-Za-z0-9.=+_-]{1,10}").prop_map(|s| Atom::new(s).unwrap())
}

fn keyword() -> impl Strategy<Value = Keyword<'static>> {
    chars("[A-Za-z0-9$._\\[\\]-]{1,10}").prop_map(|s| Keyword::new(s).unwrap())
}

fn flag() -> impl Strategy<Value = Flag<'static>> {
    prop_oneof![
        Just(Flag::Seen),
        Just(Flag::Answered),
        Just(Flag::Flagged),
        Just(Flag::Deleted),
        Just(Flag::Draft),
        Just(Flag::Recent),
        Just(Flag::Wildcard),
        keyword().prop_map(Flag::Keyword),
        keyword().prop_map(|k| {
            let wire = format!("\\{}", k.as_str());
            Flag::from_name(wire.as_bytes()).unwrap().into_owned()
        }),
    ]
}

fn seq_set() -> impl Strategy<Value = SequenceSet> {
    let n = || {
        prop_oneof![
            (1u32..).prop_map(|v| SeqNumber::new(v).unwrap()),
            Just(SeqNumber::Largest)
        ]
    };
    prop::collection::vec(
        prop_oneof![
            n().prop_map(SeqItem::Single),
            (n(), n()).prop_map(|(a, b)| SeqItem::Range(a, b))
        ],
        1..5,
    )
    .prop_map(|items| SequenceSet::from_items(items).unwrap())
}

fn text() -> impl Strategy<Value = Text<'static>> {
    prop::collection::vec(
        any::<u8>().prop_filter("line byte", |b| !matches!(b, b'\r' | b'\n' | 0)),
        0..30,
    )
    .prop_map(|v| Text::new(v).unwrap())
}

fn code() -> impl Strategy<Value = Code<'static>> {
    prop_oneof![
        Just(Code::Alert),
        Just(Code::TryCreate),
        Just(Code::ReadOnly),
        Just(Code::OverQuota),
        Just(Code::NoModSeq),
        prop::collection::vec(atom().prop_map(Capability::new), 0..5).prop_map(Code::Capability),
        prop::collection::vec(flag(), 0..5).prop_map(Code::PermanentFlags),
        any::<u32>().prop_map(Code::UidNext),
        any::<u32>().prop_map(Code::UidValidity),
        any::<u64>().prop_map(Code::HighestModSeq),
        seq_set().prop_map(Code::Modified),
        (any::<u32>(), seq_set()).prop_map(|(v, uids)| Code::AppendUid {
            uid_validity: v,
            uids
        }),
        (any::<u32>(), seq_set(), seq_set()).prop_map(|(v, source, destination)| {
            Code::CopyUid {
                uid_validity: v,
                source,
                destination,
            }
        }),
        prop::collection::vec(chars("[A-Za-z0-9 _-]{1,8}"), 0..3).prop_map(|c| Code::BadCharset(
            c.into_iter().map(|c| Charset::new(c).unwrap()).collect()
        )),
        (
            atom(),
            prop::option::of(
                chars("[ -\\\\^-~]{1,20}")
                    .prop_filter_map("code text", |t| CodeText::new(t.into_bytes()).ok())
            )
        )
            .prop_map(|(name, text)| Code::from_parts(name, text)),
    ]
}

fn status() -> impl Strategy<Value = Response<'static>> {
    (
        prop::option::of(chars("[A-Za-z0-9.]{1,6}").prop_map(|t| Tag::new(t).unwrap())),
        prop_oneof![
            Just(StatusKind::Ok),
            Just(StatusKind::No),
            Just(StatusKind::Bad),
            Just(StatusKind::PreAuth),
            Just(StatusKind::Bye)
        ],
        prop::option::of(code()),
        text(),
    )
        .prop_filter_map("valid status", |(tag, kind, code, text)| {
            Status::new(tag, kind, code, text)
                .ok()
                .map(Response::Status)
        })
}

fn continuation() -> impl Strategy<Value = Response<'static>> {
    prop_oneof![
        (prop::option::of(code()), text()).prop_filter_map("valid", |(code, text)| {
            Continuation::new(code, text).ok()
        }),
        chars("([A-Za-z0-9+/]{4}){0,5}")
            .prop_map(|b| Continuation::base64(b.into_bytes()).unwrap()),
    ]
    .prop_map(Response::Continuation)
}

fn address() -> BoxedStrategy<Address<'static>> {
    (nstring(), nstring(), nstring(), nstring())
        .prop_map(|(name, adl, mailbox, host)| Address {
            name,
            adl,
            mailbox,
            host,
        })
        .boxed()
}

fn envelope() -> BoxedStrategy<Envelope<'static>> {
    let list = || prop::collection::vec(address(), 0..3).boxed();
    (
        (nstring(), nstring(), list(), list(), list()),
        (list(), list(), list(), nstring(), nstring()),
    )
        .prop_map(
            |((date, subject, from, sender, reply_to), (to, cc, bcc, in_reply_to, message_id))| {
                Envelope {
                    date,
                    subject,
                    from,
                    sender,
                    reply_to,
                    to,
                    cc,
                    bcc,
                    in_reply_to,
                    message_id,
                }
            },
        )
        .boxed()
}

fn params() -> impl Strategy<Value = Vec<(S, Option<S>)>> {
    prop::collection::vec((bytes(10), nstring()), 0..3)
}

fn body_extension() -> impl Strategy<Value = BodyExtension<'static>> {
    let leaf = prop_oneof![
        nstring().prop_map(BodyExtension::String),
        any::<u64>().prop_map(BodyExtension::Number),
    ];
    leaf.prop_recursive(3, 10, 3, |inner| {
        prop::collection::vec(inner, 0..3).prop_map(BodyExtension::List)
    })
}

fn tail() -> impl Strategy<Value = ExtensionTail<'static>> {
    (
        prop::option::of(
            (bytes(8), params()).prop_map(|(kind, params)| Disposition { kind, params }),
        ),
        prop::collection::vec(bytes(6), 0..3),
        nstring(),
        prop::collection::vec(body_extension(), 0..3),
    )
        .prop_map(
            |(disposition, language, location, extensions)| ExtensionTail {
                disposition,
                language,
                location,
                extensions,
            },
        )
}

fn fields() -> impl Strategy<Value = BodyFields<'static>> {
    (params(), nstring(), nstring(), bytes(8), any::<u32>()).prop_map(
        |(params, id, description, encoding, octets)| BodyFields {
            params,
            id,
            description,
            encoding,
            octets,
        },
    )
}

fn body() -> impl Strategy<Value = Body<'static>> {
    let single = |kind: BoxedStrategy<SinglePartKind<'static>>| {
        (
            bytes(8),
            bytes(8),
            fields(),
            kind,
            prop::option::of(
                (nstring(), tail()).prop_map(|(md5, tail)| SinglePartExtension { md5, tail }),
            ),
        )
            .prop_map(|(media_type, subtype, fields, kind, extension)| {
                Body::Single(SinglePart {
                    media_type,
                    subtype,
                    fields,
                    kind,
                    extension,
                })
            })
    };
    let leaf_kind = prop_oneof![
        Just(SinglePartKind::Basic),
        any::<u32>().prop_map(|lines| SinglePartKind::Text { lines })
    ]
    .boxed();
    single(leaf_kind).prop_recursive(4, 16, 3, move |inner| {
        let message = (envelope(), inner.clone(), any::<u32>())
            .prop_map(|(e, b, lines)| SinglePartKind::Message {
                envelope: Box::new(e),
                body: Box::new(b),
                lines,
            })
            .boxed();
        prop_oneof![
            single(message),
            (
                prop::collection::vec(inner, 1..4),
                bytes(8),
                prop::option::of(
                    (params(), tail())
                        .prop_map(|(params, tail)| MultipartExtension { params, tail })
                ),
            )
                .prop_map(|(parts, subtype, extension)| Body::Multi(Multipart {
                    parts,
                    subtype,
                    extension
                }))
        ]
    })
}

fn section() -> impl Strategy<Value = Section<'static>> {
    (
        prop::collection::vec(any::<u32>(), 0..4),
        prop::option::of(prop_oneof![
            Just(SectionText::Header),
            Just(SectionText::Text),
            Just(SectionText::Mime),
            (any::<bool>(), prop::collection::vec(bytes(8), 0..3))
                .prop_map(|(not, fields)| SectionText::HeaderFields { not, fields }),
        ]),
    )
        .prop_map(|(part, text)| Section { part, text })
}

fn object_id() -> impl Strategy<Value = ObjectId<'static>> {
    chars("[A-Za-z0-9_-]{1,12}").prop_map(|s| ObjectId::new(s).unwrap())
}

fn other_item() -> impl Strategy<Value = OtherItem<'static>> {
    (
        chars("X-[A-FH-Z][A-Z0-9.]{0,6}"),
        prop_oneof![
            chars("[a-z0-9]{1,6}"),
            chars("\"[a-z ]{0,6}\""),
            chars("\\(([a-z0-9]{1,3} ?){0,3}\\)"),
        ],
    )
        .prop_filter_map("valid item", |(name, raw)| {
            OtherItem::new(name, raw.into_bytes()).ok()
        })
}

fn fetch_item() -> impl Strategy<Value = FetchItem<'static>> {
    prop_oneof![
        prop::collection::vec(flag(), 0..4).prop_map(FetchItem::Flags),
        any::<u32>().prop_map(FetchItem::Uid),
        bytes(26).prop_map(FetchItem::InternalDate),
        any::<u64>().prop_map(FetchItem::Rfc822Size),
        envelope().prop_map(|e| FetchItem::Envelope(Box::new(e))),
        body().prop_map(|b| FetchItem::BodyStructure(Box::new(b))),
        body().prop_map(|b| FetchItem::Body(Box::new(b))),
        (section(), prop::option::of(any::<u32>()), nstring()).prop_map(
            |(section, origin, data)| FetchItem::BodySection {
                section,
                origin,
                data
            }
        ),
        (
            prop::collection::vec(any::<u32>(), 0..3),
            prop::option::of(any::<u32>()),
            nstring()
        )
            .prop_map(|(section, origin, data)| FetchItem::Binary {
                section,
                origin,
                data
            }),
        (prop::collection::vec(any::<u32>(), 0..3), any::<u32>())
            .prop_map(|(section, size)| FetchItem::BinarySize { section, size }),
        nstring().prop_map(FetchItem::Rfc822Header),
        nstring().prop_map(FetchItem::Rfc822),
        any::<u64>().prop_map(FetchItem::ModSeq),
        object_id().prop_map(FetchItem::EmailId),
        prop::option::of(object_id()).prop_map(FetchItem::ThreadId),
        nstring().prop_map(FetchItem::Preview),
        any::<u64>().prop_map(FetchItem::GmMsgId),
        prop::collection::vec(bytes(8), 0..3).prop_map(FetchItem::GmLabels),
        other_item().prop_map(FetchItem::Other),
    ]
}

fn mailbox() -> impl Strategy<Value = Mailbox<'static>> {
    prop::collection::vec(
        any::<u8>().prop_filter("no line break", |b| !matches!(b, b'\r' | b'\n' | 0)),
        0..12,
    )
    .prop_map(|v| Mailbox::from_bytes(v).unwrap())
}

fn list_attribute() -> impl Strategy<Value = ListAttribute<'static>> {
    prop_oneof![
        Just(ListAttribute::NoSelect),
        Just(ListAttribute::HasChildren),
        Just(ListAttribute::Trash),
        keyword().prop_map(|k| {
            let wire = format!("\\{}", k.as_str());
            ListAttribute::from_name(wire.as_bytes())
                .unwrap()
                .into_owned()
        }),
        keyword().prop_map(ListAttribute::Other),
    ]
}

fn thread() -> impl Strategy<Value = Thread> {
    let leaf = prop::collection::vec(any::<u32>(), 0..4).prop_map(|members| Thread {
        members,
        children: vec![],
    });
    leaf.prop_recursive(4, 20, 3, |inner| {
        (
            prop::collection::vec(any::<u32>(), 0..3),
            prop::collection::vec(inner, 0..3),
        )
            .prop_map(|(members, children)| Thread { members, children })
    })
}

fn data() -> impl Strategy<Value = Response<'static>> {
    prop_oneof![
        (any::<u32>(), prop::collection::vec(fetch_item(), 0..5))
            .prop_map(|(seq, items)| Data::Fetch { seq, items }),
        (
            prop::collection::vec(list_attribute(), 0..3),
            prop::option::of(any::<char>()),
            mailbox(),
            prop::collection::vec(
                prop_oneof![
                    prop::collection::vec(bytes(8), 0..3).prop_map(ListExtended::ChildInfo),
                    mailbox().prop_map(ListExtended::OldName),
                    other_item().prop_map(ListExtended::Other),
                ],
                0..3
            )
        )
            .prop_map(
                |(attributes, delimiter, mailbox, extended)| Data::List(ListData {
                    attributes,
                    delimiter,
                    mailbox,
                    extended
                })
            ),
        (
            mailbox(),
            prop::collection::vec(
                prop_oneof![
                    any::<u32>().prop_map(StatusItem::Messages),
                    any::<u64>().prop_map(StatusItem::Size),
                    prop::option::of(any::<u64>()).prop_map(StatusItem::AppendLimit),
                    object_id().prop_map(StatusItem::MailboxId),
                ],
                0..4
            )
        )
            .prop_map(|(mailbox, items)| Data::Status { mailbox, items }),
        (
            prop::collection::vec(any::<u32>(), 0..6),
            prop::option::of(any::<u64>())
        )
            .prop_map(|(numbers, modseq)| Data::Search { numbers, modseq }),
        (
            prop::option::of(bytes(6)),
            any::<bool>(),
            prop::collection::vec(
                prop_oneof![
                    any::<u32>().prop_map(ESearchItem::Min),
                    any::<u32>().prop_map(ESearchItem::Count),
                    seq_set().prop_map(ESearchItem::All),
                    any::<u64>().prop_map(ESearchItem::ModSeq),
                    other_item().prop_map(ESearchItem::Other),
                    (
                        (any::<bool>(), 1..=u32::MAX, 1..=u32::MAX),
                        prop::option::of(seq_set())
                    )
                        .prop_map(|((from_end, first, last), results)| {
                            let range = if from_end {
                                PartialRange::from_end(first, last)
                            } else {
                                PartialRange::from_start(first, last)
                            };
                            ESearchItem::Partial {
                                range: range.unwrap(),
                                results,
                            }
                        }),
                ],
                0..4
            )
        )
            .prop_map(|(tag, uid, items)| Data::ESearch(ESearch { tag, uid, items })),
        prop::collection::vec(thread(), 0..3).prop_map(Data::Thread),
        any::<u32>().prop_map(Data::Exists),
        any::<u32>().prop_map(Data::Expunge),
        (any::<bool>(), seq_set()).prop_map(|(earlier, uids)| Data::Vanished { earlier, uids }),
        prop::collection::vec(flag(), 0..5).prop_map(Data::Flags),
        prop::collection::vec(atom().prop_map(Capability::new), 0..5).prop_map(Data::Capability),
        {
            let ns = || {
                prop::collection::vec(
                    (
                        bytes(6),
                        prop::option::of(any::<char>()),
                        prop::collection::vec(
                            (bytes(6), prop::collection::vec(bytes(6), 1..3)),
                            0..2,
                        ),
                    )
                        .prop_map(|(prefix, delimiter, extensions)| {
                            Namespace {
                                prefix,
                                delimiter,
                                extensions,
                            }
                        }),
                    0..3,
                )
            };
            (ns(), ns(), ns()).prop_map(|(personal, other, shared)| Data::Namespace {
                personal,
                other,
                shared,
            })
        },
        prop::option::of(prop::collection::vec((bytes(6), nstring()), 0..3)).prop_map(Data::Id),
        (
            bytes(6),
            prop::collection::vec(
                (atom(), any::<u64>(), any::<u64>())
                    .prop_map(|(name, usage, limit)| QuotaResource { name, usage, limit }),
                0..3
            )
        )
            .prop_map(|(root, resources)| Data::Quota { root, resources }),
        (mailbox(), prop::collection::vec((bytes(6), bytes(6)), 0..3))
            .prop_map(|(mailbox, entries)| Data::Acl { mailbox, entries }),
        (
            mailbox(),
            prop::collection::vec((bytes(8), nstring()), 0..3)
        )
            .prop_map(|(mailbox, v)| Data::Metadata {
                mailbox,
                entries: MetadataEntries::Values(v)
            }),
        (chars("X[A-Z]{1,6}"), chars("[a-z(][a-z ()\"]{0,10}[a-z)]"))
            .prop_filter_map("valid data", |(n, raw)| OtherData::new(n, raw.into_bytes())
                .ok())
            .prop_map(Data::Other),
    ]
    .prop_map(Response::Data)
}

fn response() -> impl Strategy<Value = Response<'static>> {
    prop_oneof![status(), continuation(), data()]
}

fn roundtrip(r: &Response<'_>) {
    let wire = r.to_bytes();
    let limits = Limits::default();
    let (back, used) = decode::response(&wire, &limits)
        .unwrap_or_else(|e| panic!("{e} in {:?}", String::from_utf8_lossy(&wire)))
        .complete()
        .unwrap_or_else(|| panic!("incomplete {:?}", String::from_utf8_lossy(&wire)));
    assert_eq!(used, wire.len(), "{:?}", String::from_utf8_lossy(&wire));
    assert_eq!(&back, r, "{:?}", String::from_utf8_lossy(&wire));
    let owned: Response<'static> = back.clone().into_owned();
    assert_eq!(owned, back);
    assert_eq!(owned.to_bytes(), wire);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn responses_round_trip(r in response()) {
        roundtrip(&r);
    }

    #[test]
    fn fetch_responses_round_trip(seq in any::<u32>(), items in prop::collection::vec(fetch_item(), 1..6)) {
        roundtrip(&Response::Data(Data::Fetch { seq, items }));
    }

    #[test]
    fn streaming_is_split_invariant(
        responses in prop::collection::vec(response(), 1..6),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..8),
    ) {
        let stream: Vec<u8> = responses.iter().flat_map(|r| r.to_bytes()).collect();
        let mut cuts: Vec<usize> = cuts.iter().map(|i| i.index(stream.len() + 1)).collect();
        cuts.push(stream.len());
        cuts.sort_unstable();
        let mut d = ResponseDecoder::new(Limits::default());
        let mut out = Vec::new();
        let mut from = 0;
        for cut in cuts {
            d.push(&stream[from..cut]);
            from = cut;
            while let Some(frame) = d.next_frame() {
                let frame = frame.unwrap();
                let value = frame.decode().unwrap().to_bytes();
                out.push(value);
            }
        }
        prop_assert!(d.buffered().is_empty());
        let expected: Vec<Vec<u8>> = responses.iter().map(Encode::to_bytes).collect();
        prop_assert_eq!(out, expected);
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..200)) {
        let mut limits = Limits::default();
        limits.line_length = 64;
        limits.nesting_depth = 4;
        let _ = decode::response(&data, &limits);
        let mut d = ResponseDecoder::new(limits);
        for c in data.chunks(7) {
            d.push(c);
            while let Some(r) = d.next_frame() {
                if let Ok(f) = r {
                    let _ = f.decode();
                }
            }
        }
    }
}
