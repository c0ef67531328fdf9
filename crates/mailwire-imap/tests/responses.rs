//! Known-answer tests for server responses: the server lines of RFC 9051
//! §7 and the §8 sample session, RFC 3501 §7, and the extension RFCs'
//! examples; framing, limits and error offsets.

use std::time::{Duration, Instant};

use mailwire_imap::Limits;
use mailwire_imap::decode::{self, DecodeErrorKind, Decoded, ResponseDecoder};
use mailwire_imap::encode::Encode;
use mailwire_imap::types::{
    Body, Capability, Code, Data, ESearchItem, FetchItem, Flag, ListAttribute, ListExtended,
    Mailbox, MetadataEntries, Response, SectionText, SeqItem, SeqNumber, SequenceSet,
    SinglePartKind, StatusItem, StatusKind, Thread,
};

/// Decodes one whole response and checks it round-trips.
fn decode_one(input: &[u8]) -> Response<'_> {
    let limits = Limits::default();
    let (r, used) = decode::response(input, &limits)
        .unwrap_or_else(|e| panic!("{:?}: {e}", String::from_utf8_lossy(input)))
        .complete()
        .unwrap_or_else(|| panic!("incomplete: {:?}", String::from_utf8_lossy(input)));
    assert_eq!(used, input.len(), "{:?}", String::from_utf8_lossy(input));
    let wire = r.to_bytes();
    let (back, _) = decode::response(&wire, &limits)
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!(back, r, "{:?}", String::from_utf8_lossy(&wire));
    r
}

fn line(s: &str) -> Vec<u8> {
    format!("{s}\r\n").into_bytes()
}

fn status(r: Response<'_>) -> (Option<String>, StatusKind, Option<Code<'_>>, String) {
    let Response::Status(s) = r else {
        panic!("{r:?}")
    };
    (
        s.tag().map(|t| t.as_str().to_owned()),
        s.kind(),
        s.code().cloned(),
        s.text().to_string_lossy().into_owned(),
    )
}

fn set(s: &str) -> SequenceSet {
    s.parse().unwrap()
}

#[test]
fn rfc9051_status_responses_and_codes() {
    // RFC 9051 §7.1 (response codes) examples.
    let cases: &[(&str, Code<'_>)] = &[
        (
            "o356 NO [ALREADYEXISTS] Mailbox \"that\" already exists",
            Code::AlreadyExists,
        ),
        (
            "b NO [AUTHENTICATIONFAILED] Authentication failed",
            Code::AuthenticationFailed,
        ),
        (
            "c1 NO [AUTHORIZATIONFAILED] No such authorization-ID",
            Code::AuthorizationFailed,
        ),
        (
            "l NO [CANNOT] Adjacent slashes are not supported",
            Code::Cannot,
        ),
        ("k1 OK [READ-ONLY] Done", Code::ReadOnly),
        ("k2 OK [CLIENTBUG] Done", Code::ClientBug),
        ("e NO [CONTACTADMIN]", Code::ContactAdmin),
        ("i NO [CORRUPTION] Cannot open mailbox", Code::Corruption),
        (
            "d NO [EXPIRED] That password isn't valid any more",
            Code::Expired,
        ),
        ("h OK [EXPUNGEISSUED] Search completed", Code::ExpungeIssued),
        (
            "o356 NO [HASCHILDREN] Mailbox \"Notes\" has children",
            Code::HasChildren,
        ),
        ("g NO [INUSE] Mailbox in use", Code::InUse),
        (
            "m NO [LIMIT] At most 32 flags in one mailbox supported",
            Code::Limit,
        ),
        ("p NO [NONEXISTENT] No such mailbox", Code::NonExistent),
        ("f NO [NOPERM] Access denied", Code::NoPerm),
        ("n1 NO [OVERQUOTA] Sorry", Code::OverQuota),
        (
            "d NO [PRIVACYREQUIRED] Connection offers no privacy",
            Code::PrivacyRequired,
        ),
        ("j NO [SERVERBUG] This should not happen", Code::ServerBug),
        (
            "a NO [UNAVAILABLE] User's backend down for maintenance",
            Code::Unavailable,
        ),
        ("* OK [ALERT] System shutdown in 10 minutes", Code::Alert),
        ("a002 OK [READ-WRITE] SELECT completed", Code::ReadWrite),
        (
            "* OK [UIDVALIDITY 3857529045] UIDs valid",
            Code::UidValidity(3857529045),
        ),
        (
            "* OK [UNSEEN 17] Message 17 is first unseen",
            Code::Unseen(17),
        ),
        (
            "* OK [UIDNEXT 4392] Predicted next UID",
            Code::UidNext(4392),
        ),
        ("A1 NO [TRYCREATE] Mailbox doesn't exist", Code::TryCreate),
        ("A1 NO [PARSE] Bad header", Code::Parse),
        ("A1 NO [TOOBIG] Too big", Code::TooBig),
        ("A1 NO [NOTSAVED] Not saved", Code::NotSaved),
        ("A1 NO [USEATTR] \\All not supported", Code::UseAttr),
        ("* OK [CLOSED] Previous mailbox closed", Code::Closed),
        // RFC 4315 §3 (UIDPLUS).
        (
            "A003 OK [APPENDUID 38505 3955] APPEND completed",
            Code::AppendUid {
                uid_validity: 38505,
                uids: set("3955"),
            },
        ),
        (
            "A004 OK [COPYUID 38505 304,319:320 3956:3958] Done",
            Code::CopyUid {
                uid_validity: 38505,
                source: set("304,319:320"),
                destination: set("3956:3958"),
            },
        ),
        (
            "A1 OK [UIDNOTSTICKY] Non-persistent UIDs",
            Code::UidNotSticky,
        ),
        // RFC 7162 §3.1 (CONDSTORE).
        (
            "* OK [HIGHESTMODSEQ 715194045007] Highest",
            Code::HighestModSeq(715194045007),
        ),
        (
            "* OK [NOMODSEQ] Sorry, this mailbox format doesn't support modsequences",
            Code::NoModSeq,
        ),
        (
            "d105 OK [MODIFIED 7,9] Conditional STORE failed",
            Code::Modified(set("7,9")),
        ),
        // RFC 9051 §6.4.4.
        (
            "A1 NO [BADCHARSET (UTF-8 \"X Y\")] Unknown charset",
            Code::BadCharset(vec!["UTF-8".try_into().unwrap(), "X Y".try_into().unwrap()]),
        ),
        (
            "A1 NO [BADCHARSET] Unknown charset",
            Code::BadCharset(vec![]),
        ),
        (
            "* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited",
            Code::PermanentFlags(vec![Flag::Deleted, Flag::Seen, Flag::Wildcard]),
        ),
    ];
    for (text, code) in cases {
        let input = line(text);
        let (_, _, got, _) = status(decode_one(&input));
        assert_eq!(got.as_ref(), Some(code), "{text}");
    }
    // Plain status lines (RFC 9051 §7.1, RFC 3501 §7.1).
    for text in [
        "* OK IMAP4rev2 server ready",
        "A001 OK LOGIN Completed",
        "* NO Disk is 98% full, please delete unnecessary data",
        "A223 NO COPY failed: disk is full",
        "* BAD Command line too long",
        "* BAD Disk crash, attempting salvage to a new disk!",
        "* PREAUTH IMAP4rev2 server logged in as Smith",
        "* BYE Autologout; idle for too long",
        "A044 BAD No such command as \"BLURDYBLOOP\"",
        "* OK IMAP4rev1 server ready",
    ] {
        let input = line(text);
        let (tag, kind, code, rest) = status(decode_one(&input));
        assert_eq!(code, None);
        let word = text.split(' ').nth(1).unwrap();
        assert_eq!(kind.as_str(), word);
        assert_eq!(tag.is_none(), text.starts_with('*'));
        assert!(text.ends_with(&rest));
    }
    let (tag, kind, _, text) = status(decode_one(b"A001 OK LOGIN completed\r\n"));
    assert_eq!(
        (tag.as_deref(), kind, text.as_str()),
        (Some("A001"), StatusKind::Ok, "LOGIN completed")
    );
}

#[test]
fn continuation_requests() {
    let r = decode_one(b"+ Ready for additional command text\r\n");
    let Response::Continuation(c) = r else {
        panic!()
    };
    assert_eq!(c.text().as_bytes(), b"Ready for additional command text");
    // RFC 9051 §8: SCRAM challenges are base64.
    let r = decode_one(b"+ cj1yT3ByTkdmd0ViZVJXZ2JORWtxTyVodllEcFdVYTJSYVRDQWZ1eEZJbGopaE\r\n");
    assert!(matches!(r, Response::Continuation(c) if c.code().is_none()));
    let r = decode_one(b"+ [ALERT] look\r\n");
    assert!(matches!(r, Response::Continuation(c) if c.code() == Some(&Code::Alert)));
}

#[test]
fn rfc9051_data_responses() {
    // §7.2.1 ENABLED, §7.2.2 CAPABILITY.
    let r = decode_one(b"* ENABLED CONDSTORE QRESYNC\r\n");
    assert!(matches!(r, Response::Data(Data::Enabled(c)) if c.len() == 2));
    let r = decode_one(b"* CAPABILITY STARTTLS AUTH=GSSAPI IMAP4rev2 LOGINDISABLED\r\n");
    let Response::Data(Data::Capability(caps)) = r else {
        panic!()
    };
    assert_eq!(caps[0], Capability::StartTls);
    assert_eq!(caps[2], Capability::Imap4Rev2);
    // §7.3.1 LIST, with extended data (RFC 5258 examples).
    let r = decode_one(b"* LIST (\\Noselect) \"/\" ~/Mail/foo\r\n");
    let Response::Data(Data::List(l)) = r else {
        panic!()
    };
    assert_eq!(l.attributes, [ListAttribute::NoSelect]);
    assert_eq!(l.delimiter, Some('/'));
    assert_eq!(l.mailbox.as_bytes(), b"~/Mail/foo");
    let r = decode_one(
        b"* LIST (\\Marked) \":\" Tables (tablecloth ((\"edge\" \"lacy\") (\"color\" \"red\")) Sample \"text\")\r\n",
    );
    let Response::Data(Data::List(l)) = r else {
        panic!()
    };
    assert_eq!(l.extended.len(), 2);
    let r = decode_one(b"* LIST () \"/\" INBOX (\"OLDNAME\" (\"inbox\"))\r\n");
    let Response::Data(Data::List(l)) = r else {
        panic!()
    };
    assert_eq!(l.mailbox, Mailbox::Inbox);
    assert_eq!(l.extended, [ListExtended::OldName(Mailbox::Inbox)]);
    let r = decode_one(b"* LIST () \"/\" Foo (OLDNAME (Bar) CHILDINFO (\"SUBSCRIBED\"))\r\n");
    let Response::Data(Data::List(l)) = r else {
        panic!()
    };
    assert!(matches!(&l.extended[0], ListExtended::OldName(m) if m.as_bytes() == b"Bar"));
    assert!(matches!(&l.extended[1], ListExtended::ChildInfo(c) if c.len() == 1));
    let r = decode_one(b"* LIST (\\HasNoChildren \\Sent) NIL \"Sent Items\"\r\n");
    let Response::Data(Data::List(l)) = r else {
        panic!()
    };
    assert_eq!(
        l.attributes,
        [ListAttribute::HasNoChildren, ListAttribute::Sent]
    );
    assert_eq!(l.delimiter, None);
    let r = decode_one(b"* LSUB () \".\" #news.comp.mail.misc\r\n");
    assert!(matches!(r, Response::Data(Data::Lsub(_))));
    // §7.3.2 STATUS, with RFC 9051, 7162, 7889 and 8474 attributes.
    let r = decode_one(b"* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\n");
    let Response::Data(Data::Status { mailbox, items }) = r else {
        panic!()
    };
    assert_eq!(mailbox.as_bytes(), b"blurdybloop");
    assert_eq!(
        items,
        [StatusItem::Messages(231), StatusItem::UidNext(44292)]
    );
    let r = decode_one(
        b"* STATUS INBOX (SIZE 44421 HIGHESTMODSEQ 7011231777 APPENDLIMIT NIL MAILBOXID (F2212ea87-6097-4256-9d51-71338625) DELETED 2 X-FOO 1)\r\n",
    );
    let Response::Data(Data::Status { items, .. }) = r else {
        panic!()
    };
    assert_eq!(items[0], StatusItem::Size(44421));
    assert_eq!(items[1], StatusItem::HighestModSeq(7011231777));
    assert_eq!(items[2], StatusItem::AppendLimit(None));
    assert!(matches!(&items[3], StatusItem::MailboxId(id) if id.as_str().starts_with("F2212")));
    assert!(matches!(&items[5], StatusItem::Other(o) if o.name() == "X-FOO"));
    // §7.3.3 NAMESPACE.
    let r = decode_one(b"* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) NIL\r\n");
    let Response::Data(Data::Namespace {
        personal,
        other,
        shared,
    }) = r
    else {
        panic!()
    };
    assert_eq!((personal.len(), other.len(), shared.len()), (1, 1, 0));
    assert_eq!(&other[0].prefix[..], b"~");
    // RFC 2342 §5 example with extensions.
    decode_one(
        b"* NAMESPACE ((\"\" \"/\" \"X-PARAM\" (\"FLAG1\" \"FLAG2\"))) NIL ((\"#shared.\" \".\")(\"#public.\" \".\"))\r\n",
    );
    // §7.3.4 ESEARCH.
    let r = decode_one(b"* ESEARCH (TAG \"a567\") UID COUNT 17 ALL 4:18,21,28\r\n");
    let Response::Data(Data::ESearch(e)) = r else {
        panic!()
    };
    assert_eq!(e.tag.as_deref(), Some(&b"a567"[..]));
    assert!(e.uid);
    assert_eq!(
        e.items,
        [ESearchItem::Count(17), ESearchItem::All(set("4:18,21,28"))]
    );
    decode_one(b"* ESEARCH (TAG \"h\") ALL 1:3,5,8,13,21,42\r\n");
    decode_one(b"* ESEARCH COUNT 18 ALL 1:17,21\r\n");
    let r = decode_one(b"* ESEARCH (TAG \"A285\") UID MIN 7 MAX 3800 MODSEQ 917162500\r\n");
    let Response::Data(Data::ESearch(e)) = r else {
        panic!()
    };
    assert_eq!(e.items[2], ESearchItem::ModSeq(917162500));
    // §7.3.5 FLAGS, §7.4 EXISTS/EXPUNGE, RFC 3501 RECENT and SEARCH.
    let r = decode_one(b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n");
    assert!(matches!(r, Response::Data(Data::Flags(f)) if f.len() == 5));
    assert_eq!(
        decode_one(b"* 23 EXISTS\r\n"),
        Response::Data(Data::Exists(23))
    );
    assert_eq!(
        decode_one(b"* 5 RECENT\r\n"),
        Response::Data(Data::Recent(5))
    );
    assert_eq!(
        decode_one(b"* 44 EXPUNGE\r\n"),
        Response::Data(Data::Expunge(44))
    );
    assert_eq!(
        decode_one(b"* SEARCH 2 3 6\r\n"),
        Response::Data(Data::Search {
            numbers: vec![2, 3, 6],
            modseq: None
        })
    );
    assert_eq!(
        decode_one(b"* SEARCH\r\n"),
        Response::Data(Data::Search {
            numbers: vec![],
            modseq: None
        })
    );
    // RFC 7162 §3.1.5.
    assert_eq!(
        decode_one(b"* SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)\r\n"),
        Response::Data(Data::Search {
            numbers: vec![2, 5, 6, 7, 11, 12, 18, 19, 20, 23],
            modseq: Some(917162500)
        })
    );
    // RFC 7162 §3.2.10.
    let r = decode_one(b"* VANISHED (EARLIER) 41,43:116,118,120:211,214:540\r\n");
    assert!(matches!(
        r,
        Response::Data(Data::Vanished { earlier: true, .. })
    ));
    let r = decode_one(b"* VANISHED 405,407,410,425\r\n");
    assert!(
        matches!(r, Response::Data(Data::Vanished { earlier: false, uids }) if uids.items().len() == 4)
    );
    // RFC 5256 §4.
    assert_eq!(
        decode_one(b"* SORT 2 84 882\r\n"),
        Response::Data(Data::Sort {
            numbers: vec![2, 84, 882],
            modseq: None
        })
    );
    let r = decode_one(b"* THREAD (2)(3 6 (4 23)(44 7 96))\r\n");
    let Response::Data(Data::Thread(threads)) = r else {
        panic!()
    };
    let leaf = |members: Vec<u32>| Thread {
        members,
        children: vec![],
    };
    assert_eq!(
        threads,
        [
            leaf(vec![2]),
            Thread {
                members: vec![3, 6],
                children: vec![leaf(vec![4, 23]), leaf(vec![44, 7, 96])]
            }
        ]
    );
    let r = decode_one(b"* THREAD ((3)(5))\r\n");
    assert!(
        matches!(r, Response::Data(Data::Thread(t)) if t[0].members.is_empty() && t[0].children.len() == 2)
    );
    // RFC 2971 §3.3, RFC 9208 §5, RFC 4314 §3, RFC 5464 §4.4.
    let r = decode_one(b"* ID (\"name\" \"Cyrus\" \"version\" \"1.5\" \"os\" \"sunos\" \"os-version\" \"5.5\" \"support-url\" \"mailto:cyrus-bugs+@andrew.cmu.edu\")\r\n");
    assert!(matches!(r, Response::Data(Data::Id(Some(p))) if p.len() == 5));
    assert_eq!(decode_one(b"* ID NIL\r\n"), Response::Data(Data::Id(None)));
    let r = decode_one(b"* QUOTA \"\" (STORAGE 10 512)\r\n");
    assert!(
        matches!(r, Response::Data(Data::Quota { resources, .. }) if resources[0].limit == 512)
    );
    let r = decode_one(b"* QUOTAROOT INBOX \"\"\r\n");
    assert!(matches!(r, Response::Data(Data::QuotaRoot { roots, .. }) if roots.len() == 1));
    let r = decode_one(b"* ACL INBOX Fred rwipsldexta\r\n");
    assert!(
        matches!(r, Response::Data(Data::Acl { entries, .. }) if &entries[0].1[..] == b"rwipsldexta")
    );
    let r = decode_one(b"* LISTRIGHTS ~/Mail/saved smith la r swicdkxte\r\n");
    assert!(matches!(r, Response::Data(Data::ListRights { optional, .. }) if optional.len() == 2));
    let r = decode_one(b"* MYRIGHTS INBOX rwiptsldaex\r\n");
    assert!(matches!(r, Response::Data(Data::MyRights { .. })));
    let r = decode_one(b"* METADATA \"\" (/shared/comment \"My comment\")\r\n");
    assert!(
        matches!(r, Response::Data(Data::Metadata { entries: MetadataEntries::Values(v), .. }) if v.len() == 1)
    );
    let r = decode_one(b"* METADATA INBOX /shared/comment /private/comment\r\n");
    assert!(
        matches!(r, Response::Data(Data::Metadata { entries: MetadataEntries::Names(v), .. }) if v.len() == 2)
    );
    // Unknown data is kept whole.
    let r = decode_one(b"* XLIST (\\Inbox) \"/\" \"Inbox\"\r\n");
    let Response::Data(Data::Other(o)) = r else {
        panic!()
    };
    assert_eq!(o.name().as_str(), "XLIST");
    assert_eq!(o.raw(), b"(\\Inbox) \"/\" \"Inbox\"");
}

#[test]
fn fetch_items() {
    // RFC 9051 §7.5.2.
    let r = decode_one(b"* 23 FETCH (FLAGS (\\Seen) RFC822.SIZE 44827 UID 447)\r\n");
    assert_eq!(
        r,
        Response::Data(Data::Fetch {
            seq: 23,
            items: vec![
                FetchItem::Flags(vec![Flag::Seen]),
                FetchItem::Rfc822Size(44827),
                FetchItem::Uid(447)
            ]
        })
    );
    let r = decode_one(
        b"* 1 FETCH (MODSEQ (624140003) X-GM-MSGID 1278455344230334865 X-GM-THRID 1266894439832287888 X-GM-LABELS (\\Inbox \\Sent Important \"Muy Importante\") EMAILID (M6d99ac3275bb4e) THREADID NIL BINARY.SIZE[1] 1234 PREVIEW \"Hi\" X-UNKNOWN (a (b \"c\") {2}\r\nde))\r\n",
    );
    let Response::Data(Data::Fetch { items, .. }) = r else {
        panic!()
    };
    assert_eq!(items[0], FetchItem::ModSeq(624140003));
    assert_eq!(items[1], FetchItem::GmMsgId(1278455344230334865));
    assert!(matches!(&items[3], FetchItem::GmLabels(l) if l.len() == 4 && &l[0][..] == b"\\Inbox"));
    assert_eq!(items[5], FetchItem::ThreadId(None));
    assert_eq!(
        items[6],
        FetchItem::BinarySize {
            section: vec![1],
            size: 1234
        }
    );
    let FetchItem::Other(o) = &items[8] else {
        panic!()
    };
    assert_eq!(o.name(), "X-UNKNOWN");
    assert_eq!(o.raw(), b"(a (b \"c\") {2}\r\nde)");
    // Sections.
    let r = decode_one(
        b"* 2 FETCH (BODY[1.2.HEADER.FIELDS.NOT (Subject \"X-Y\")] {0}\r\n BODY[2.MIME] NIL BODY[TEXT]<10> \"x\")\r\n",
    );
    let Response::Data(Data::Fetch { items, .. }) = r else {
        panic!()
    };
    let FetchItem::BodySection { section, data, .. } = &items[0] else {
        panic!()
    };
    assert_eq!(section.part, [1, 2]);
    assert!(
        matches!(&section.text, Some(SectionText::HeaderFields { not: true, fields }) if fields.len() == 2)
    );
    assert_eq!(data.as_deref(), Some(&b""[..]));
    assert!(matches!(
        &items[1],
        FetchItem::BodySection { data: None, .. }
    ));
    assert!(matches!(
        &items[2],
        FetchItem::BodySection {
            origin: Some(10),
            ..
        }
    ));
}

/// RFC 9051 §8: the server's side of the sample session, through the
/// streaming decoder in every chunk size, with the header literal's size
/// made to match its bytes.
#[test]
fn rfc9051_sample_session() {
    let header = "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n\
From: Terry Gray <gray@cac.washington.edu>\r\n\
Subject: IMAP4rev2 WG mtg summary and minutes\r\n\
To: imap@cac.washington.edu\r\n\
cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n\
Message-Id: <B27397-0100000@cac.washington.edu>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\n";
    let session = format!(
        "* OK [CAPABILITY STARTTLS AUTH=SCRAM-SHA-256 LOGINDISABLED IMAP4rev2] IMAP4rev2 Service Ready\r\n\
a000 OK Proceed with TLS negotiation\r\n\
+ cj1yT3ByTkdmd0ViZVJXZ2JORWtxTyVodllEcFdVYTJSYVRDQWZ1eEZJbGopaE\r\n\
+ dj02cnJpVFJCaTIzV3BSUi93dHVwK21NaFVaVW4vZEI1bkxUSlJzamw5NUc0\r\n\
A001 OK SCRAM-SHA-256 authentication successful\r\n\
* ENABLED IMAP4rev2\r\n\
babc OK Some capabilities enabled\r\n\
* 18 EXISTS\r\n\
* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n\
* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n\
* OK [UIDVALIDITY 3857529045] UIDs valid\r\n\
* OK [UIDNEXT 4392] Predicted next UID\r\n\
* LIST () \"/\" INBOX (\"OLDNAME\" (\"inbox\"))\r\n\
a002 OK [READ-WRITE] SELECT completed\r\n\
* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev2 WG mtg summary and minutes\" ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \"<B27397-0100000@cac.washington.edu>\") BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n\
a003 OK FETCH completed\r\n\
* 12 FETCH (BODY[HEADER] {{{}}}\r\n{header})\r\n\
a004 OK FETCH completed\r\n\
* 12 FETCH (FLAGS (\\Seen \\Deleted))\r\n\
a005 OK +FLAGS completed\r\n\
* BYE IMAP4rev2 server terminating connection\r\n\
a006 OK LOGOUT completed\r\n",
        header.len()
    );
    let session = session.as_bytes();
    let decode_all = |chunk: usize| {
        let mut d = ResponseDecoder::new(Limits::default());
        let mut out = Vec::new();
        for c in session.chunks(chunk) {
            d.push(c);
            while let Some(frame) = d.next_frame() {
                let frame = frame.unwrap();
                out.push((frame.offset(), frame.as_bytes().to_vec()));
            }
        }
        assert!(d.buffered().is_empty());
        out
    };
    let whole = decode_all(session.len());
    assert_eq!(whole.len(), 22);
    for chunk in [1, 2, 3, 7, 64, 1000] {
        assert_eq!(decode_all(chunk), whole, "chunk {chunk}");
    }
    let fetch = decode_one(&whole[14].1);
    let Response::Data(Data::Fetch { seq: 12, items }) = fetch else {
        panic!()
    };
    let FetchItem::Envelope(env) = &items[3] else {
        panic!()
    };
    assert_eq!(env.cc.len(), 2);
    let FetchItem::Body(body) = &items[4] else {
        panic!()
    };
    let Body::Single(part) = &**body else {
        panic!()
    };
    assert_eq!(part.kind, SinglePartKind::Text { lines: 92 });
    assert!(part.extension.is_none());
    let literal = decode_one(&whole[16].1);
    let Response::Data(Data::Fetch { items, .. }) = literal else {
        panic!()
    };
    assert!(
        matches!(&items[0], FetchItem::BodySection { data: Some(d), .. } if d.len() == header.len())
    );
    for (_, bytes) in &whole {
        decode_one(bytes);
    }
}

#[test]
fn a_literal_announcement_in_free_text_is_text() {
    for input in [
        &b"* NO foo{12}\r\n* 1 EXISTS\r\n"[..],
        b"A1 NO [TRYCREATE] Mailbox does not exist: Foo {12}\r\n* 1 EXISTS\r\n",
        b"+ go on {12}\r\n* 1 EXISTS\r\n",
        b"* BYE {3}\r\n* 1 EXISTS\r\n",
        b"* CAPABILITY IMAP4rev2 {3}\r\n* 1 EXISTS\r\n",
        b"* SEARCH 1 {3}\r\n* 1 EXISTS\r\n",
        b"* 1 FETCH (X \"a {3}\r\n* 1 EXISTS\r\n",
    ] {
        let mut d = ResponseDecoder::new(Limits::default());
        d.push(input);
        let first = d.next_frame().unwrap().unwrap();
        assert!(first.as_bytes().ends_with(b"}\r\n"), "{input:?}");
        let second = d.next_frame().unwrap().unwrap();
        assert_eq!(second.decode().unwrap(), Response::Data(Data::Exists(1)));
    }
    let (r, _) = decode::response(b"* NO foo{12}\r\n", &Limits::default())
        .unwrap()
        .complete()
        .unwrap();
    assert!(matches!(r, Response::Status(s) if s.text().as_bytes() == b"foo{12}"));
}

#[test]
fn deep_nesting_fails_fast() {
    let mut limits = Limits::default();
    limits.line_length = 1 << 20;
    for prefix in [
        &b"* 1 FETCH (BODYSTRUCTURE "[..],
        b"* 1 FETCH (BODY ",
        b"* 1 FETCH (X-UNKNOWN ",
        b"* THREAD ",
        b"* 1 FETCH (BODYSTRUCTURE (\"a\" \"b\" NIL NIL NIL \"7bit\" 1 NIL NIL NIL NIL ",
    ] {
        let mut input = prefix.to_vec();
        input.extend(std::iter::repeat_n(b'(', 100_000));
        input.extend_from_slice(b"\r\n");
        let start = Instant::now();
        let err = decode::response(&input, &limits).unwrap_err();
        assert!(start.elapsed() < Duration::from_secs(1));
        assert_eq!(
            err.kind,
            DecodeErrorKind::TooDeep { limit: 64 },
            "{prefix:?}"
        );
        assert!(err.offset < prefix.len() + 70);
        assert_eq!(err.discard, input.len());
    }
    // With the default line limit, the line is refused before any grammar.
    let mut input = b"* 1 FETCH (BODYSTRUCTURE ".to_vec();
    input.extend(std::iter::repeat_n(b'(', 100_000));
    let err = decode::response(&input, &Limits::default()).unwrap_err();
    assert_eq!(err.kind, DecodeErrorKind::LineTooLong { limit: 8192 });
    // Nesting within the limit is fine, however deep real mail goes.
    let mut deep = b"* 1 FETCH (BODYSTRUCTURE ".to_vec();
    deep.extend(std::iter::repeat_n(b'(', 40));
    deep.extend_from_slice(b"\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1)");
    deep.extend(std::iter::repeat_n(&b" \"mixed\")"[..], 39).flatten());
    deep.extend_from_slice(b")\r\n");
    decode_one(&deep);
}

#[test]
fn limits_are_enforced_in_one_slice_and_in_a_stream() {
    let mut limits = Limits::default();
    limits.literal_size = 10;
    let input = b"* 1 FETCH (BODY[] {11}\r\nhello world)\r\n* 2 EXISTS\r\n";
    let err = decode::response(input, &limits).unwrap_err();
    assert_eq!(
        err.kind,
        DecodeErrorKind::LiteralTooLarge {
            size: 11,
            limit: 10
        }
    );
    assert_eq!(err.offset, 18);
    // The announcing line and the literal: the rest of the response is
    // the caller's to skip.
    assert_eq!(err.discard, 24 + 11);
    // The streaming decoder skips the literal and the rest of its response
    // itself, without buffering them, whatever the chunking.
    for chunk in [1, 2, 5, input.len()] {
        let mut d = ResponseDecoder::new(limits);
        let mut out = Vec::new();
        for c in input.chunks(chunk) {
            d.push(c);
            while let Some(r) = d.next_frame() {
                out.push(r.map(|f| f.decode().unwrap().to_bytes()));
            }
            assert!(d.buffered().len() <= 24);
        }
        assert_eq!(out.len(), 2, "chunk {chunk}");
        assert_eq!(out[0].as_ref().unwrap_err().offset, 18);
        assert_eq!(out[1].as_ref().unwrap(), b"* 2 EXISTS\r\n");
    }
    // A literal that would take the response over its limit.
    let mut limits = Limits::default();
    limits.message_size = 30;
    let err = decode::response(input, &limits).unwrap_err();
    assert_eq!(err.kind, DecodeErrorKind::MessageTooLarge { limit: 30 });
    // Announced sizes are never allocated: a 4 GiB literal costs nothing.
    let mut d = ResponseDecoder::new(Limits::default());
    d.push(b"* 1 FETCH (BODY[] {4294967296}\r\nabc");
    assert!(
        matches!(d.next_frame(), Some(Err(e)) if matches!(e.kind, DecodeErrorKind::LiteralTooLarge { .. }))
    );
    assert!(d.next_frame().is_none());
    assert!(d.buffered().is_empty());
    // Lists.
    let mut limits = Limits::default();
    limits.list_items = 3;
    let err = decode::response(b"* SEARCH 1 2 3 4\r\n", &limits).unwrap_err();
    assert_eq!(err.kind, DecodeErrorKind::TooManyItems { limit: 3 });
    assert_eq!(err.offset, 15);
    let err = decode::response(b"* 1 FETCH (UID 1 UID 2 UID 3 UID 4)\r\n", &limits).unwrap_err();
    assert_eq!(err.kind, DecodeErrorKind::TooManyItems { limit: 3 });
    // Lines.
    let mut limits = Limits::default();
    limits.line_length = 16;
    let err = decode::response(b"* 1 FETCH (UID 12345)\r\n* 2 EXISTS\r\n", &limits).unwrap_err();
    assert_eq!(err.kind, DecodeErrorKind::LineTooLong { limit: 16 });
    assert_eq!(err.discard, 23);
    let mut d = ResponseDecoder::new(limits);
    d.push(b"* 1 FETCH (UID 12345)\r\n* 2 EXISTS\r\n");
    assert!(d.next_frame().unwrap().is_err());
    let f = d.next_frame().unwrap().unwrap();
    assert_eq!(
        (f.offset(), f.decode().unwrap()),
        (23, Response::Data(Data::Exists(2)))
    );
}

#[test]
fn errors_say_where() {
    let cases: &[(&[u8], usize)] = &[
        (b"* 1 FETCH UID 1\r\n", 10),
        (b"* 1 FETCH (UID 1\r\n", 16),
        (b"* 1 BOGUS\r\n", 4),
        (b"A1 MAYBE later\r\n", 3),
        (b"* OK a\0b\r\n", 6),
        (b"* OK a\rb\r\n", 6),
        (b"* 99999999999 EXISTS\r\n", 2),
        (b"[COPYUID 124 10 233]\r\n", 9),
    ];
    for (input, offset) in cases {
        let err = match decode::response(input, &Limits::default()) {
            Err(e) => e,
            Ok(Decoded::Incomplete) => panic!("incomplete {input:?}"),
            Ok(Decoded::Complete { value, .. }) => panic!("{value:?}"),
        };
        assert_eq!(
            err.offset,
            *offset,
            "{:?}: {err}",
            String::from_utf8_lossy(input)
        );
        assert_eq!(err.discard, input.len());
    }
    // From a stream, offsets count from the stream's start.
    let mut d = ResponseDecoder::with_offset(Limits::default(), 100);
    d.push(b"* 2 EXISTS\r\n* 1 FETCH UID 1\r\n");
    d.next_frame().unwrap().unwrap();
    let err = d.next_frame().unwrap().unwrap().decode().unwrap_err();
    assert_eq!(err.offset, 100 + 12 + 10);
}

#[test]
fn sequence_sets_in_codes_round_trip() {
    let n = |v| SeqNumber::new(v).unwrap();
    let mut s = SequenceSet::new(SeqItem::Range(n(1), SeqNumber::Largest));
    s.push(SeqItem::Single(n(7)));
    let r = decode_one(b"a OK [COPYUID 1 1:*,7 5] x\r\n");
    assert!(matches!(status(r).2, Some(Code::CopyUid { source, .. }) if source == s));
}

/// Inputs the fuzzer found, kept as regression tests.
#[test]
fn fuzz_regressions() {
    // A response name glued to other bytes is an error, not data.
    assert!(decode::response(b"* NO`foo{12}\r\n", &Limits::default()).is_err());
    assert!(decode::response(b"* FLAGS(\\Seen)\r\n", &Limits::default()).is_err());
    // SP runs after '+' never leave a '[' that would read as a code later.
    let r = decode_one(b"+  [COPYUIwrnsd \\Fla]E done\r\n");
    assert!(matches!(r, Response::Continuation(c) if c.code().is_some()));
    // A missing SP between FETCH items is tolerated.
    let r = decode_one(b"* 1 FETCH (THREADID (T1)UID 5)\r\n");
    let Response::Data(Data::Fetch { items, .. }) = r else {
        panic!()
    };
    assert_eq!(items.len(), 2);
    // Unprintable bytes in an unknown item's section are an error.
    assert!(decode::response(b"* 1 FETCH (BODY[\x01] {1}\r\nx)\r\n", &Limits::default()).is_err());
    // Whichever limit a long line passes first decides, in one slice as in
    // a stream of single bytes.
    let mut limits = Limits::default();
    limits.line_length = 24;
    limits.message_size = 30;
    let input = b"* 1 FETCH (BODY[] {1}\r\nxaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
    let whole = decode::response(input, &limits).unwrap_err();
    assert_eq!(whole.kind, DecodeErrorKind::MessageTooLarge { limit: 30 });
    assert_eq!(whole.offset, 24);
    let mut d = ResponseDecoder::new(limits);
    let mut errors = Vec::new();
    for b in input.iter() {
        d.push(std::slice::from_ref(b));
        while let Some(r) = d.next_frame() {
            errors.push(r.unwrap_err());
        }
    }
    assert_eq!(errors.len(), 1);
    assert_eq!(
        (errors[0].offset, &errors[0].kind),
        (whole.offset, &whole.kind)
    );
}
