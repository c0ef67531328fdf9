//! Property tests for client commands: `decode(encode(x)) == x` for
//! arbitrary commands, the fragments a client sends join up to the same
//! command, and the streaming decoder gives the same commands however the
//! stream is split.

use std::borrow::Cow;
use std::num::NonZeroU64;

use mailwire_imap::Limits;
use mailwire_imap::decode::{self, CommandDecoder, CommandEvent};
use mailwire_imap::encode::{self, Encode, Fragment};
use mailwire_imap::types::{
    AppendEntry, AppendKind, AppendMessage, Atom, Capability, Charset, ClientMessage, Command,
    CommandBody, Date, DateTime, EntryType, FetchAttribute, FetchItems, FetchModifier, Flag,
    Keyword, ListAttribute, ListReturn, ListSelect, LiteralMode, Mailbox, MetadataDepth,
    MetadataOption, ObjectId, Partial, PartialRange, QResync, SaslData, SearchKey, SearchReturn,
    Secret, Section, SectionText, SelectParam, SeqItem, SeqNumber, SequenceSet, SortCriterion,
    SortKey, StatusAttribute, StoreAction, StoreTarget, Tag, ThreadAlgorithm,
};
use proptest::prelude::*;

type S = Cow<'static, [u8]>;

fn bytes() -> BoxedStrategy<S> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..24),
        "[a-zA-Z0-9 ._\"\\\\%*()\\[\\]{}-]{0,12}".prop_map(String::into_bytes),
        Just(b"NIL".to_vec()),
        Just(b"{3}".to_vec()),
    ]
    .prop_map(Cow::Owned)
    .boxed()
}

fn chars(re: &'static str) -> BoxedStrategy<String> {
    proptest::string::string_regex(re).unwrap().boxed()
}

fn atom() -> BoxedStrategy<Atom<'static>> {
    chars("[A-Za-z0-9.=+_-]{1,10}")
        .prop_map(|s| Atom::new(s).unwrap())
        .boxed()
}

/// An atom that is no known option or attribute name.
fn x_atom() -> BoxedStrategy<Atom<'static>> {
    chars("X-[A-Za-z0-9]{1,8}")
        .prop_map(|s| Atom::new(s).unwrap())
        .boxed()
}

fn keyword() -> BoxedStrategy<Keyword<'static>> {
    chars("[A-Za-z0-9$._\\[\\]-]{1,10}")
        .prop_map(|s| Keyword::new(s).unwrap())
        .boxed()
}

fn flag() -> BoxedStrategy<Flag<'static>> {
    prop_oneof![
        Just(Flag::Seen),
        Just(Flag::Answered),
        Just(Flag::Flagged),
        Just(Flag::Deleted),
        Just(Flag::Draft),
        keyword().prop_map(Flag::Keyword),
        keyword().prop_map(|k| {
            let wire = format!("\\{}", k.as_str());
            Flag::from_name(wire.as_bytes()).unwrap().into_owned()
        }),
    ]
    .boxed()
}

fn seq_set() -> BoxedStrategy<SequenceSet> {
    let n = || {
        prop_oneof![
            (1u32..).prop_map(|v| SeqNumber::new(v).unwrap()),
            Just(SeqNumber::Largest)
        ]
    };
    prop_oneof![
        4 => prop::collection::vec(
            prop_oneof![
                n().prop_map(SeqItem::Single),
                (n(), n()).prop_map(|(a, b)| SeqItem::Range(a, b))
            ],
            1..4,
        )
        .prop_map(|items| SequenceSet::from_items(items).unwrap()),
        1 => Just(SequenceSet::last_command()),
    ]
    .boxed()
}

fn mailbox() -> BoxedStrategy<Mailbox<'static>> {
    bytes()
        .prop_map(|b| {
            let clean: Vec<u8> = b
                .iter()
                .copied()
                .filter(|&c| !matches!(c, b'\r' | b'\n' | 0))
                .collect();
            Mailbox::from_bytes(clean).unwrap()
        })
        .boxed()
}

fn num64() -> BoxedStrategy<u64> {
    (0..=i64::MAX as u64).boxed()
}

fn nz64() -> BoxedStrategy<u64> {
    (1..=i64::MAX as u64).boxed()
}

/// `partial-range` (RFC 9394 §4), from the oldest or the newest.
fn partial_range() -> BoxedStrategy<PartialRange> {
    (any::<bool>(), 1..=u32::MAX, 1..=u32::MAX)
        .prop_map(|(from_end, first, last)| {
            if from_end {
                PartialRange::from_end(first, last).unwrap()
            } else {
                PartialRange::from_start(first, last).unwrap()
            }
        })
        .boxed()
}

/// A search return option, `PARTIAL` with its range included.
fn search_return() -> BoxedStrategy<SearchReturn> {
    prop_oneof![
        prop::sample::select(SearchReturn::ALL.to_vec()),
        partial_range().prop_map(SearchReturn::Partial),
    ]
    .boxed()
}

fn date() -> BoxedStrategy<Date> {
    (0u16..=9999, 1u8..=12, 1u8..=31)
        .prop_map(|(y, m, d)| Date::new(y, m, d).unwrap())
        .boxed()
}

fn date_time() -> BoxedStrategy<DateTime> {
    (date(), 0u8..24, 0u8..60, 0u8..=60, -5999i16..=5999)
        .prop_map(|(d, h, m, s, z)| DateTime::new(d, (h, m, s), z).unwrap())
        .boxed()
}

fn charset() -> BoxedStrategy<Charset<'static>> {
    chars("[A-Za-z0-9 _-]{0,8}[A-Za-z0-9]")
        .prop_map(|s| Charset::new(s).unwrap())
        .boxed()
}

fn status_attribute() -> BoxedStrategy<StatusAttribute<'static>> {
    prop_oneof![
        Just(StatusAttribute::Messages),
        Just(StatusAttribute::UidNext),
        Just(StatusAttribute::UidValidity),
        Just(StatusAttribute::Unseen),
        Just(StatusAttribute::Deleted),
        Just(StatusAttribute::Size),
        Just(StatusAttribute::Recent),
        Just(StatusAttribute::HighestModSeq),
        Just(StatusAttribute::AppendLimit),
        Just(StatusAttribute::MailboxId),
        x_atom().prop_map(StatusAttribute::Other),
    ]
    .boxed()
}

fn object_id() -> BoxedStrategy<ObjectId<'static>> {
    chars("[A-Za-z0-9_-]{1,12}")
        .prop_map(|s| ObjectId::new(s).unwrap())
        .boxed()
}

fn search_leaf() -> BoxedStrategy<SearchKey<'static>> {
    prop_oneof![
        Just(SearchKey::All),
        Just(SearchKey::Answered),
        Just(SearchKey::Deleted),
        Just(SearchKey::Draft),
        Just(SearchKey::Flagged),
        Just(SearchKey::New),
        Just(SearchKey::Old),
        Just(SearchKey::Recent),
        Just(SearchKey::Seen),
        Just(SearchKey::Unanswered),
        Just(SearchKey::Undeleted),
        Just(SearchKey::Undraft),
        Just(SearchKey::Unflagged),
        Just(SearchKey::Unseen),
        bytes().prop_map(SearchKey::Bcc),
        bytes().prop_map(SearchKey::Body),
        bytes().prop_map(SearchKey::Cc),
        bytes().prop_map(SearchKey::From),
        bytes().prop_map(SearchKey::Subject),
        bytes().prop_map(SearchKey::Text),
        bytes().prop_map(SearchKey::To),
        bytes().prop_map(SearchKey::GmRaw),
        atom().prop_map(SearchKey::Filter),
        bytes().prop_map(SearchKey::GmLabels),
        (bytes(), bytes()).prop_map(|(f, v)| SearchKey::Header(f, v)),
        date().prop_map(SearchKey::Before),
        date().prop_map(SearchKey::On),
        date().prop_map(SearchKey::Since),
        date().prop_map(SearchKey::SentBefore),
        date().prop_map(SearchKey::SentOn),
        date().prop_map(SearchKey::SentSince),
        num64().prop_map(SearchKey::Larger),
        num64().prop_map(SearchKey::Smaller),
        num64().prop_map(SearchKey::GmMsgId),
        num64().prop_map(SearchKey::GmThrId),
        keyword().prop_map(SearchKey::Keyword),
        keyword().prop_map(SearchKey::Unkeyword),
        seq_set().prop_map(SearchKey::Uid),
        seq_set().prop_map(SearchKey::SequenceSet),
        (1u32..).prop_map(SearchKey::Older),
        (1u32..).prop_map(SearchKey::Younger),
        object_id().prop_map(SearchKey::EmailId),
        object_id().prop_map(SearchKey::ThreadId),
        (
            prop::option::of((
                bytes(),
                prop_oneof![
                    Just(EntryType::Private),
                    Just(EntryType::Shared),
                    Just(EntryType::All)
                ]
            )),
            num64()
        )
            .prop_map(|(entry, mod_seq)| SearchKey::ModSeq { entry, mod_seq }),
    ]
    .boxed()
}

fn search_key() -> BoxedStrategy<SearchKey<'static>> {
    search_leaf()
        .prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                inner.clone().prop_map(|k| SearchKey::Not(Box::new(k))),
                (inner.clone(), inner.clone())
                    .prop_map(|(a, b)| SearchKey::Or(Box::new(a), Box::new(b))),
                prop::collection::vec(inner, 1..4).prop_map(SearchKey::And),
            ]
        })
        .boxed()
}

fn search_keys() -> BoxedStrategy<Vec<SearchKey<'static>>> {
    prop::collection::vec(search_key(), 1..4).boxed()
}

fn partial() -> BoxedStrategy<Option<Partial>> {
    prop::option::of((num64(), nz64()).prop_map(|(offset, count)| Partial {
        offset,
        count: NonZeroU64::new(count).unwrap(),
    }))
    .boxed()
}

fn section() -> BoxedStrategy<Section<'static>> {
    (
        prop::collection::vec(1u32..50, 0..3),
        prop::option::of(prop_oneof![
            Just(SectionText::Header),
            Just(SectionText::Text),
            Just(SectionText::Mime),
            (any::<bool>(), prop::collection::vec(bytes(), 1..3))
                .prop_map(|(not, fields)| SectionText::HeaderFields { not, fields }),
        ]),
    )
        .prop_map(|(part, text)| {
            let text = match text {
                Some(SectionText::Mime) if part.is_empty() => Some(SectionText::Header),
                t => t,
            };
            Section { part, text }
        })
        .boxed()
}

fn fetch_attribute() -> BoxedStrategy<FetchAttribute<'static>> {
    prop_oneof![
        Just(FetchAttribute::Envelope),
        Just(FetchAttribute::Flags),
        Just(FetchAttribute::InternalDate),
        Just(FetchAttribute::Rfc822Size),
        Just(FetchAttribute::Body),
        Just(FetchAttribute::BodyStructure),
        Just(FetchAttribute::Uid),
        Just(FetchAttribute::Rfc822),
        Just(FetchAttribute::Rfc822Header),
        Just(FetchAttribute::Rfc822Text),
        Just(FetchAttribute::ModSeq),
        Just(FetchAttribute::EmailId),
        Just(FetchAttribute::ThreadId),
        Just(FetchAttribute::GmMsgId),
        Just(FetchAttribute::GmThrId),
        Just(FetchAttribute::GmLabels),
        (section(), any::<bool>(), partial()).prop_map(|(section, peek, partial)| {
            FetchAttribute::BodySection {
                section,
                peek,
                partial,
            }
        }),
        (
            prop::collection::vec(1u32..50, 0..3),
            any::<bool>(),
            partial()
        )
            .prop_map(|(section, peek, partial)| FetchAttribute::Binary {
                section,
                peek,
                partial
            }),
        prop::collection::vec(1u32..50, 0..3)
            .prop_map(|section| FetchAttribute::BinarySize { section }),
    ]
    .boxed()
}

fn list_attribute() -> BoxedStrategy<ListAttribute<'static>> {
    prop_oneof![
        Just(ListAttribute::All),
        Just(ListAttribute::Archive),
        Just(ListAttribute::Drafts),
        Just(ListAttribute::Flagged),
        Just(ListAttribute::Junk),
        Just(ListAttribute::Sent),
        Just(ListAttribute::Trash),
        Just(ListAttribute::Important),
        chars("X[A-Za-z0-9]{1,8}").prop_map(|s| {
            ListAttribute::from_name(format!("\\{s}").as_bytes())
                .unwrap()
                .into_owned()
        }),
    ]
    .boxed()
}

fn string_pairs() -> BoxedStrategy<Vec<(S, Option<S>)>> {
    prop::collection::vec((bytes(), prop::option::of(bytes())), 0..4).boxed()
}

fn base64() -> BoxedStrategy<SaslData<'static>> {
    chars("([A-Za-z0-9+/]{1,16}={0,2})?")
        .prop_map(|s| SaslData::new(s.into_bytes()).unwrap())
        .boxed()
}

fn body() -> BoxedStrategy<CommandBody<'static>> {
    let simple = prop_oneof![
        Just(CommandBody::Capability),
        Just(CommandBody::Noop),
        Just(CommandBody::Logout),
        Just(CommandBody::StartTls),
        Just(CommandBody::Namespace),
        Just(CommandBody::Idle),
        Just(CommandBody::Check),
        Just(CommandBody::Close),
        Just(CommandBody::Unselect),
        Just(CommandBody::Expunge),
        seq_set().prop_map(CommandBody::UidExpunge),
        atom().prop_map(CommandBody::Compress),
        (atom(), prop::option::of(base64()))
            .prop_map(|(mechanism, initial)| CommandBody::Authenticate { mechanism, initial }),
        (bytes(), bytes()).prop_map(|(username, p)| CommandBody::Login {
            username,
            password: Secret::new(p)
        }),
        prop::collection::vec(atom().prop_map(Capability::new), 1..4).prop_map(CommandBody::Enable),
        mailbox().prop_map(CommandBody::Delete),
        mailbox().prop_map(CommandBody::Subscribe),
        mailbox().prop_map(CommandBody::Unsubscribe),
        (mailbox(), mailbox()).prop_map(|(from, to)| CommandBody::Rename { from, to }),
        (mailbox(), prop::collection::vec(list_attribute(), 0..3)).prop_map(
            |(mailbox, special_use)| CommandBody::Create {
                mailbox,
                special_use
            }
        ),
        (mailbox(), bytes())
            .prop_map(|(reference, pattern)| CommandBody::Lsub { reference, pattern }),
        (mailbox(), prop::collection::vec(status_attribute(), 1..4))
            .prop_map(|(mailbox, items)| CommandBody::Status { mailbox, items }),
    ]
    .boxed();
    let select_param = prop_oneof![
        Just(SelectParam::CondStore),
        (
            1u32..,
            num64(),
            prop::option::of(seq_set()),
            prop::option::of((seq_set(), seq_set()))
        )
            .prop_map(|(uid_validity, mod_seq, known_uids, seq_match)| {
                SelectParam::QResync(QResync {
                    uid_validity,
                    mod_seq,
                    known_uids,
                    seq_match,
                })
            }),
    ]
    .boxed();
    let mailboxes = prop_oneof![
        (
            any::<bool>(),
            mailbox(),
            prop::collection::vec(select_param, 0..3)
        )
            .prop_map(|(examine, mailbox, params)| if examine {
                CommandBody::Examine { mailbox, params }
            } else {
                CommandBody::Select { mailbox, params }
            }),
        (
            prop::option::of(prop::collection::vec(
                prop_oneof![
                    Just(ListSelect::Subscribed),
                    Just(ListSelect::Remote),
                    Just(ListSelect::RecursiveMatch),
                    Just(ListSelect::SpecialUse),
                    x_atom().prop_map(ListSelect::Other),
                ],
                0..3
            )),
            mailbox(),
            prop::collection::vec(bytes(), 1..3),
            prop::option::of(prop::collection::vec(
                prop_oneof![
                    Just(ListReturn::Subscribed),
                    Just(ListReturn::Children),
                    Just(ListReturn::SpecialUse),
                    prop::collection::vec(status_attribute(), 1..3).prop_map(ListReturn::Status),
                    x_atom().prop_map(ListReturn::Other),
                ],
                0..3
            )),
        )
            .prop_map(
                |(selection, reference, patterns, return_opts)| CommandBody::List {
                    selection,
                    reference,
                    patterns,
                    return_opts,
                }
            ),
        (
            mailbox(),
            prop::collection::vec(flag(), 0..3),
            prop::option::of(date_time()),
            prop_oneof![
                Just(AppendKind::Literal),
                Just(AppendKind::Binary),
                Just(AppendKind::Utf8)
            ],
            bytes(),
        )
            .prop_map(|(mailbox, flags, date, kind, data)| CommandBody::Append {
                mailbox,
                flags,
                date,
                message: AppendMessage { kind, data },
            }),
        (
            mailbox(),
            prop::collection::vec(
                (
                    prop::collection::vec(flag(), 0..3),
                    prop::option::of(date_time()),
                    prop_oneof![
                        Just(AppendKind::Literal),
                        Just(AppendKind::Binary),
                        Just(AppendKind::Utf8)
                    ],
                    bytes(),
                )
                    .prop_map(|(flags, date, kind, data)| AppendEntry {
                        flags,
                        date,
                        message: AppendMessage { kind, data },
                    }),
                2..4,
            ),
        )
            .prop_map(|(mailbox, messages)| CommandBody::MultiAppend { mailbox, messages }),
        bytes().prop_map(CommandBody::GetQuota),
        mailbox().prop_map(CommandBody::GetQuotaRoot),
        (bytes(), prop::collection::vec((atom(), num64()), 0..3))
            .prop_map(|(root, limits)| CommandBody::SetQuota { root, limits }),
        (mailbox(), bytes(), bytes()).prop_map(|(mailbox, identifier, rights)| {
            CommandBody::SetAcl {
                mailbox,
                identifier,
                rights,
            }
        }),
        (mailbox(), bytes()).prop_map(|(mailbox, identifier)| CommandBody::DeleteAcl {
            mailbox,
            identifier
        }),
        (mailbox(), bytes()).prop_map(|(mailbox, identifier)| CommandBody::ListRights {
            mailbox,
            identifier
        }),
        mailbox().prop_map(CommandBody::GetAcl),
        mailbox().prop_map(CommandBody::MyRights),
        (
            prop::collection::vec(
                prop_oneof![
                    any::<u32>().prop_map(MetadataOption::MaxSize),
                    prop_oneof![
                        Just(MetadataDepth::Zero),
                        Just(MetadataDepth::One),
                        Just(MetadataDepth::Infinity)
                    ]
                    .prop_map(MetadataOption::Depth),
                ],
                0..3
            ),
            mailbox(),
            prop::collection::vec(bytes(), 1..3)
        )
            .prop_map(|(options, mailbox, entries)| CommandBody::GetMetadata {
                options,
                mailbox,
                entries
            }),
        (
            mailbox(),
            prop::collection::vec((bytes(), prop::option::of(bytes())), 1..3)
        )
            .prop_map(|(mailbox, entries)| CommandBody::SetMetadata { mailbox, entries }),
        prop::option::of(string_pairs()).prop_map(CommandBody::Id),
    ]
    .boxed();
    let messages = prop_oneof![
        (
            any::<bool>(),
            prop::option::of(prop::collection::vec(search_return(), 0..3)),
            prop::option::of(charset()),
            search_keys()
        )
            .prop_map(
                |(uid, return_opts, charset, criteria)| CommandBody::Search {
                    uid,
                    return_opts,
                    charset,
                    criteria,
                }
            ),
        (
            any::<bool>(),
            seq_set(),
            prop_oneof![
                Just(FetchItems::All),
                Just(FetchItems::Fast),
                Just(FetchItems::Full),
                prop::collection::vec(fetch_attribute(), 1..4).prop_map(FetchItems::List),
            ],
            prop::collection::vec(
                prop_oneof![
                    nz64().prop_map(FetchModifier::ChangedSince),
                    Just(FetchModifier::Vanished),
                    partial_range().prop_map(FetchModifier::Partial),
                ],
                0..3
            )
        )
            .prop_map(|(uid, set, items, modifiers)| CommandBody::Fetch {
                uid,
                set,
                items,
                modifiers,
            }),
        (
            any::<bool>(),
            seq_set(),
            prop::option::of(num64()),
            prop_oneof![
                Just(StoreAction::Replace),
                Just(StoreAction::Add),
                Just(StoreAction::Remove)
            ],
            any::<bool>(),
            prop_oneof![
                prop::collection::vec(flag(), 0..3).prop_map(StoreTarget::Flags),
                prop::collection::vec(bytes(), 0..3).prop_map(StoreTarget::GmLabels),
            ]
        )
            .prop_map(|(uid, set, unchanged_since, action, silent, target)| {
                CommandBody::Store {
                    uid,
                    set,
                    unchanged_since,
                    action,
                    silent,
                    target,
                }
            }),
        (any::<bool>(), any::<bool>(), seq_set(), mailbox()).prop_map(
            |(uid, is_move, set, mailbox)| if is_move {
                CommandBody::Move { uid, set, mailbox }
            } else {
                CommandBody::Copy { uid, set, mailbox }
            }
        ),
        (
            any::<bool>(),
            prop::collection::vec(
                (any::<bool>(), prop::sample::select(SortKey::ALL.to_vec()))
                    .prop_map(|(reverse, key)| SortCriterion { reverse, key }),
                1..3
            ),
            charset(),
            search_keys()
        )
            .prop_map(|(uid, criteria, charset, search)| CommandBody::Sort {
                uid,
                criteria,
                charset,
                search,
            }),
        (
            any::<bool>(),
            prop::collection::vec(
                prop_oneof![
                    prop::sample::select(vec![
                        SearchReturn::Min,
                        SearchReturn::Max,
                        SearchReturn::All,
                        SearchReturn::Count
                    ]),
                    partial_range().prop_map(SearchReturn::Partial),
                ],
                0..3
            ),
            prop::collection::vec(
                (any::<bool>(), prop::sample::select(SortKey::ALL.to_vec()))
                    .prop_map(|(reverse, key)| SortCriterion { reverse, key }),
                1..3
            ),
            charset(),
            search_keys()
        )
            .prop_map(
                |(uid, return_opts, criteria, charset, search)| CommandBody::ESort {
                    uid,
                    return_opts,
                    criteria,
                    charset,
                    search,
                }
            ),
        (
            any::<bool>(),
            prop_oneof![
                Just(ThreadAlgorithm::OrderedSubject),
                Just(ThreadAlgorithm::References),
                x_atom().prop_map(ThreadAlgorithm::Other),
            ],
            charset(),
            search_keys()
        )
            .prop_map(|(uid, algorithm, charset, search)| CommandBody::Thread {
                uid,
                algorithm,
                charset,
                search,
            }),
    ]
    .boxed();
    prop_oneof![simple, mailboxes, messages].boxed()
}

fn command() -> BoxedStrategy<Command<'static>> {
    (chars("[A-Za-z0-9.]{1,6}"), body())
        .prop_map(|(tag, body)| Command::new(Tag::new(tag).unwrap(), body))
        .boxed()
}

fn mode() -> BoxedStrategy<LiteralMode> {
    prop_oneof![
        Just(LiteralMode::Sync),
        Just(LiteralMode::Plus),
        Just(LiteralMode::Minus)
    ]
    .boxed()
}

/// The bytes a client sends for `c`, fragments joined.
fn joined(c: &Command<'_>, mode: LiteralMode) -> Vec<u8> {
    encode::fragments(c, mode)
        .iter()
        .flat_map(|f| match f {
            Fragment::Line(l) => l.clone(),
            Fragment::Literal { data, .. } => data.to_vec(),
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(768))]

    #[test]
    fn commands_round_trip(c in command()) {
        let wire = c.to_bytes();
        let (back, used) = decode::command(&wire, &Limits::default())
            .map_err(|e| TestCaseError::fail(format!("{e}: {:?}", String::from_utf8_lossy(&wire))))?
            .complete()
            .unwrap();
        prop_assert_eq!(used, wire.len());
        prop_assert_eq!(&back, &c);
        let owned: Command<'static> = back.clone().into_owned();
        prop_assert_eq!(&owned, &back);
        prop_assert_eq!(owned.to_bytes(), wire);
    }

    #[test]
    fn fragments_join_to_the_command(c in command(), mode in mode()) {
        let wire = joined(&c, mode);
        let mut d = CommandDecoder::new(Limits::default());
        d.set_literal_mode(mode);
        d.push(&wire);
        let mut continuations = 0;
        let frame = loop {
            match d.next_frame() {
                Some(Ok(CommandEvent::NeedsContinuation { .. })) => continuations += 1,
                Some(Ok(CommandEvent::Frame(f))) => break f,
                other => return Err(TestCaseError::fail(format!("{other:?}"))),
            }
        };
        let expected = encode::fragments(&c, mode)
            .iter()
            .filter(|f| matches!(f, Fragment::Literal { sync: true, .. }))
            .count();
        prop_assert_eq!(continuations, expected);
        prop_assert_eq!(frame.decode().unwrap(), ClientMessage::Command(c));
    }

    #[test]
    fn streaming_is_split_invariant(
        cmds in prop::collection::vec(command(), 1..5),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..6),
    ) {
        let mut wire = Vec::new();
        for c in &cmds {
            c.encode(&mut wire);
        }
        let mut cuts: Vec<usize> = cuts.iter().map(|i| i.index(wire.len() + 1)).collect();
        cuts.sort_unstable();
        let mut d = CommandDecoder::new(Limits::default());
        d.set_literal_mode(LiteralMode::Plus);
        let mut out = Vec::new();
        let mut from = 0;
        for to in cuts.into_iter().chain([wire.len()]) {
            d.push(&wire[from..to]);
            from = to;
            while let Some(ev) = d.next_frame() {
                if let CommandEvent::Frame(f) = ev.unwrap() {
                    match f.decode().unwrap() {
                        ClientMessage::Command(c) => out.push(c.to_bytes()),
                        other => return Err(TestCaseError::fail(format!("{other:?}"))),
                    }
                }
            }
        }
        let expected: Vec<Vec<u8>> = cmds.iter().map(Encode::to_bytes).collect();
        prop_assert_eq!(out, expected);
        prop_assert!(d.buffered().is_empty());
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = decode::command(&data, &Limits::default());
        let mut d = CommandDecoder::new(Limits::default());
        d.push(&data);
        while let Some(ev) = d.next_frame() {
            if let Ok(CommandEvent::Frame(f)) = ev
                && let Ok(m) = f.decode() {
                    let _ = m.to_bytes();
                }
        }
    }
}
