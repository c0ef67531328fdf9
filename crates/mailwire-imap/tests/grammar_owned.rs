//! `into_owned()`: decoded commands and responses outlive their input
//! buffer, equal the borrowed values and encode to the same bytes.

use mailwire_imap::Limits;
use mailwire_imap::decode;
use mailwire_imap::encode::Encode;
use mailwire_imap::types::{Body, Command, Envelope, FetchItem, Response, SearchKey};

const COMMANDS: &[&[u8]] = &[
    b"A001 LOGIN SMITH SESAME\r\n",
    b"a002 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n",
    b"A142 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))\r\n",
    b"A003 APPEND saved-messages (\\Seen $Forwarded) \"05-Jul-1994 02:44:25 -0700\" {5}\r\nhello\r\n",
    b"A282 SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT (FROM \"Smith\" OR TO x CC y)\r\n",
    b"A283 UID SORT (SUBJECT REVERSE DATE) UTF-8 ALL\r\n",
    b"A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)] BINARY.PEEK[1]<0.100>)\r\n",
    b"A1 LIST (SUBSCRIBED) \"\" (\"INBOX\" \"Drafts\") RETURN (CHILDREN STATUS (MESSAGES))\r\n",
    b"A2 SETMETADATA INBOX (/private/comment {3}\r\nabc)\r\n",
    b"A3 ID (\"name\" \"sodr\" \"version\" NIL)\r\n",
];

const RESPONSES: &[&[u8]] = &[
    b"* OK [CAPABILITY IMAP4rev2 AUTH=PLAIN] ready\r\n",
    b"A1 NO [TRYCREATE] no such mailbox\r\n",
    b"+ Ready for literal data\r\n",
    b"* LIST (\\HasNoChildren \\Sent) \"/\" Sent (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n",
    b"* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292 MAILBOXID (F2212ea87))\r\n",
    b"* ESEARCH (TAG \"A285\") UID MIN 7 MAX 3800 ALL 7,3800\r\n",
    b"* NAMESPACE ((\"\" \"/\")) NIL ((\"Public Folders/\" \"/\" \"X\" (\"a\" \"b\")))\r\n",
    b"* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and minutes\" ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \"<B27397-0100000@cac.washington.edu>\") BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n",
    b"* 1 FETCH (BODYSTRUCTURE (((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 10 1 NIL (\"inline\" NIL) NIL NIL)(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 300 (NIL \"s\" NIL NIL NIL NIL NIL NIL NIL NIL) (\"text\" \"plain\" NIL NIL NIL \"7bit\" 5 1) 9) \"mixed\" (\"boundary\" \"b\") NIL (\"en\" \"de\") NIL 1 (2 \"x\" NIL)) \"alternative\" (\"boundary\" \"a\") NIL NIL))\r\n",
    b"* 2 FETCH (UID 9 BODY[1.MIME]<0> {4}\r\nabcd BINARY[2] ~{3}\r\nxyz X-GM-LABELS (\\Inbox \"a b\") X-UNKNOWN (1 2))\r\n",
    b"* QUOTA \"\" (STORAGE 10 512)\r\n",
    b"* METADATA INBOX (/shared/comment \"x\" /private/y NIL)\r\n",
    b"* XLIST (\\Inbox) \"/\" INBOX\r\n",
];

/// Decodes a command from a buffer dropped before the value is used.
fn owned_command(bytes: &[u8]) -> (Command<'static>, Vec<u8>) {
    let input = bytes.to_vec();
    let (cmd, used) = decode::command(&input, &Limits::default())
        .unwrap_or_else(|e| panic!("{e}: {:?}", String::from_utf8_lossy(bytes)))
        .complete()
        .unwrap();
    assert_eq!(used, input.len());
    let owned = cmd.clone().into_owned();
    assert_eq!(owned, cmd);
    let wire = cmd.to_bytes();
    drop(input);
    (owned, wire)
}

fn owned_response(bytes: &[u8]) -> (Response<'static>, Vec<u8>) {
    let input = bytes.to_vec();
    let (r, used) = decode::response(&input, &Limits::default())
        .unwrap_or_else(|e| panic!("{e}: {:?}", String::from_utf8_lossy(bytes)))
        .complete()
        .unwrap();
    assert_eq!(used, input.len());
    let owned = r.clone().into_owned();
    assert_eq!(owned, r);
    let wire = r.to_bytes();
    drop(input);
    (owned, wire)
}

#[test]
fn commands_outlive_their_input() {
    for bytes in COMMANDS {
        let (owned, wire) = owned_command(bytes);
        assert_eq!(
            owned.to_bytes(),
            wire,
            "{:?}",
            String::from_utf8_lossy(bytes)
        );
    }
}

#[test]
fn responses_outlive_their_input() {
    for bytes in RESPONSES {
        let (owned, wire) = owned_response(bytes);
        assert_eq!(
            owned.to_bytes(),
            wire,
            "{:?}",
            String::from_utf8_lossy(bytes)
        );
    }
}

#[test]
fn parts_convert_on_their_own() {
    let (r, _) = owned_response(RESPONSES[8]);
    let Response::Data(mailwire_imap::types::Data::Fetch { items, .. }) = r else {
        panic!("{r:?}");
    };
    let FetchItem::BodyStructure(body) = &items[0] else {
        panic!("{items:?}");
    };
    let body: Body<'static> = (**body).clone().into_owned();
    let Body::Multi(multi) = &body else {
        panic!("{body:?}")
    };
    assert_eq!(multi.parts.len(), 1);
    let env: Envelope<'static> = Envelope::default().into_owned();
    assert_eq!(env, Envelope::default());
    let key = SearchKey::Not(Box::new(SearchKey::Or(
        Box::new(SearchKey::From(b"a".as_slice().into())),
        Box::new(SearchKey::All),
    )));
    assert_eq!(key.clone().into_owned(), key);
}

#[test]
fn nesting_at_the_depth_limit_converts() {
    // As deep as the default limit lets the decoder go.
    let depth = Limits::default().nesting_depth;
    for d in (1..=depth).rev() {
        let mut wire = b"* 1 FETCH (BODYSTRUCTURE ".to_vec();
        wire.extend(std::iter::repeat_n(b'(', d));
        wire.extend_from_slice(b"\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1)");
        for _ in 1..d {
            wire.extend_from_slice(b" \"mixed\")");
        }
        wire.extend_from_slice(b")\r\n");
        if let Ok(decode::Decoded::Complete { value, .. }) =
            decode::response(&wire, &Limits::default())
        {
            let owned = value.clone().into_owned();
            assert_eq!(owned, value);
            assert_eq!(owned.to_bytes(), value.to_bytes());
            return;
        }
    }
    panic!("no depth decoded");
}
