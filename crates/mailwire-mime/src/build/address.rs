//! Validated addresses and message identifiers for the builder, and how
//! they are written.

use std::fmt;

use bytes::BufMut;

use crate::encode::{Folder, LINE_LEN, encoded_words};
use crate::types::{self, ValueError};

/// The longest `addr-spec` accepted: the longest path SMTP carries
/// (RFC 5321 §4.5.3.1.3, 256 octets with its angle brackets).
const MAX_ADDR_SPEC: usize = 254;
/// The longest message identifier accepted, brackets excluded.
const MAX_MSG_ID: usize = 250;

/// One mailbox to write (RFC 5322 §3.4: `mailbox = name-addr /
/// addr-spec`): an optional display name and an address, validated.
///
/// The display name is any text: it is written as atoms, as a quoted
/// string, or in RFC 2047 encoded words, whichever keeps it intact. The
/// local part is a `dot-atom` or any text that fits a quoted string
/// (printable characters and spaces); the domain is a `dot-atom` or a
/// domain literal. Non-ASCII characters are accepted in both (RFC 6532),
/// and such an address can only be written when the message is built with
/// [`Options::utf8_headers`](super::Options::utf8_headers).
///
/// ```
/// use mailwire_mime::build::EmailAddress;
///
/// let a: EmailAddress = "Joe Q. Public <john.q.public@example.com>".parse()?;
/// assert_eq!(a.name(), Some("Joe Q. Public"));
/// assert_eq!(a.addr_spec(), "john.q.public@example.com");
/// let b = EmailAddress::new(Some("Doe, John"), "\"john doe\"@example.org")?;
/// assert_eq!(b.local(), "john doe");
/// assert!(EmailAddress::new(None, "a\r\nb@example.org").is_err());
/// assert!(EmailAddress::new(None, "no-domain").is_err());
/// # Ok::<(), mailwire_mime::types::ValueError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress {
    name: Option<String>,
    local: String,
    domain: String,
}

impl EmailAddress {
    /// A mailbox from a display name and an `addr-spec` (`local@domain`,
    /// the local part possibly a quoted string). An empty name counts as
    /// none.
    pub fn new(name: Option<&str>, addr_spec: &str) -> Result<Self, ValueError> {
        let (local, domain) = split_addr_spec(addr_spec)?;
        Self::from_parts(name, &local, domain)
    }

    /// A mailbox from a display name, an unquoted local part and a domain.
    pub fn from_parts(name: Option<&str>, local: &str, domain: &str) -> Result<Self, ValueError> {
        check_local(local)?;
        check_domain(domain)?;
        let out = Self {
            name: name.filter(|n| !n.is_empty()).map(str::to_owned),
            local: local.to_owned(),
            domain: domain.to_owned(),
        };
        if out.addr_spec().len() > MAX_ADDR_SPEC {
            return Err(ValueError::TooLong {
                limit: MAX_ADDR_SPEC,
            });
        }
        Ok(out)
    }

    /// The same address with display name `name` (`None` or empty for
    /// none).
    pub fn with_name(mut self, name: Option<&str>) -> Self {
        self.name = name.filter(|n| !n.is_empty()).map(str::to_owned);
        self
    }

    /// The display name.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The local part, unquoted.
    pub fn local(&self) -> &str {
        &self.local
    }

    /// The domain.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// `local-part "@" domain`, the local part quoted when it is not a
    /// `dot-atom` (RFC 5322 §3.4.1).
    pub fn addr_spec(&self) -> String {
        self.as_mailbox().addr_spec()
    }

    /// True when the address (not the name) holds non-ASCII characters.
    pub fn is_utf8(&self) -> bool {
        !self.local.is_ascii() || !self.domain.is_ascii()
    }

    /// The decoder's view of this mailbox.
    pub fn as_mailbox(&self) -> types::Mailbox {
        types::Mailbox {
            name: self.name.clone(),
            local: self.local.clone(),
            domain: self.domain.clone(),
        }
    }
}

impl TryFrom<&types::Mailbox> for EmailAddress {
    type Error = ValueError;

    /// Validates a decoded mailbox, to write it again.
    fn try_from(m: &types::Mailbox) -> Result<Self, ValueError> {
        Self::from_parts(m.name.as_deref(), &m.local, &m.domain)
    }
}

impl std::str::FromStr for EmailAddress {
    type Err = ValueError;

    /// Reads one mailbox (`Name <a@b>`, `a@b`) with the tolerant
    /// decoder, then validates it.
    fn from_str(s: &str) -> Result<Self, ValueError> {
        if let Some(offset) = s.bytes().position(|b| b == b'\r' || b == b'\n' || b == 0) {
            return Err(ValueError::ForbiddenByte {
                offset,
                byte: s.as_bytes()[offset],
            });
        }
        let (list, _) = crate::decode::address_list(s.as_bytes());
        match list.as_slice() {
            [types::Address::Mailbox(m)] => Self::try_from(m),
            [] => Err(ValueError::Empty),
            _ => Err(ValueError::ForbiddenByte {
                offset: 0,
                byte: s.as_bytes().first().copied().unwrap_or(0),
            }),
        }
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_mailbox().fmt(f)
    }
}

/// A named group of mailboxes (RFC 5322 §3.4: `group = display-name ":"
/// [group-list] ";"`), possibly empty (`undisclosed-recipients:;`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AddressGroup {
    name: String,
    members: Vec<EmailAddress>,
}

impl AddressGroup {
    /// A group; its name may not be empty.
    pub fn new(name: &str, members: Vec<EmailAddress>) -> Result<Self, ValueError> {
        if name.trim().is_empty() {
            return Err(ValueError::Empty);
        }
        Ok(Self {
            name: name.to_owned(),
            members,
        })
    }

    /// The group's display name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its members.
    pub fn members(&self) -> &[EmailAddress] {
        &self.members
    }
}

/// One entry of an address list: a mailbox or a group.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AddressItem {
    /// A mailbox.
    Mailbox(EmailAddress),
    /// A group.
    Group(AddressGroup),
}

impl From<EmailAddress> for AddressItem {
    fn from(m: EmailAddress) -> Self {
        Self::Mailbox(m)
    }
}

impl From<AddressGroup> for AddressItem {
    fn from(g: AddressGroup) -> Self {
        Self::Group(g)
    }
}

/// A message or content identifier (RFC 5322 §3.6.4 `msg-id`, RFC 2045
/// §7), without its angle brackets: `id-left "@" id-right`, each side
/// printable US-ASCII without white space, `<`, `>`, `@`, `"`, `\` or `(`
/// `)` (so both are `dot-atom-text` or `no-fold-literal`-like text that
/// every reader takes as is).
///
/// ```
/// use mailwire_mime::build::MsgId;
/// let id = MsgId::new("1234@local.machine.example")?;
/// assert_eq!(id.to_string(), "<1234@local.machine.example>");
/// assert!(MsgId::new("no at sign").is_err());
/// # Ok::<(), mailwire_mime::types::ValueError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MsgId(pub(crate) String);

impl MsgId {
    /// Validates `left@right`.
    pub fn new(id: &str) -> Result<Self, ValueError> {
        let id = id
            .strip_prefix('<')
            .and_then(|i| i.strip_suffix('>'))
            .unwrap_or(id);
        if let Some(offset) = id
            .bytes()
            .position(|b| !b.is_ascii_graphic() || b"<>\"\\()".contains(&b))
        {
            return Err(ValueError::ForbiddenByte {
                offset,
                byte: id.as_bytes()[offset],
            });
        }
        match id.split_once('@') {
            Some((l, r)) if !l.is_empty() && !r.is_empty() && !r.contains('@') => {}
            _ => return Err(ValueError::Empty),
        }
        if id.len() > MAX_MSG_ID {
            return Err(ValueError::TooLong { limit: MAX_MSG_ID });
        }
        Ok(Self(id.to_owned()))
    }

    /// `id-left "@" id-right`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MsgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{}>", self.0)
    }
}

/// `atext` (RFC 5322 §3.2.3), with the non-ASCII characters RFC 6532
/// §3.2 adds.
fn is_atext(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c) || !c.is_ascii()
}

fn forbidden(s: &str, bad: impl Fn(char) -> bool) -> Result<(), ValueError> {
    match s.char_indices().find(|&(_, c)| bad(c)) {
        Some((offset, _)) => Err(ValueError::ForbiddenByte {
            offset,
            byte: s.as_bytes()[offset],
        }),
        None => Ok(()),
    }
}

/// A local part is written as a `dot-atom` or a `quoted-string`; a quoted
/// string holds printable characters and spaces (RFC 5322 §3.2.4).
fn check_local(local: &str) -> Result<(), ValueError> {
    if local.is_empty() {
        return Err(ValueError::Empty);
    }
    forbidden(local, |c| c.is_control())
}

/// `domain = dot-atom / domain-literal` (RFC 5322 §3.4.1).
fn check_domain(domain: &str) -> Result<(), ValueError> {
    if domain.is_empty() {
        return Err(ValueError::Empty);
    }
    if let Some(inner) = domain.strip_prefix('[').and_then(|d| d.strip_suffix(']')) {
        // dtext = %d33-90 / %d94-126
        return forbidden(inner, |c| {
            !(c.is_ascii_graphic() && c != '[' && c != ']' && c != '\\')
        });
    }
    forbidden(domain, |c| !(is_atext(c) || c == '.'))?;
    if domain.split('.').any(str::is_empty) {
        return Err(ValueError::Empty);
    }
    Ok(())
}

/// Splits `local@domain`, unquoting a quoted local part.
fn split_addr_spec(s: &str) -> Result<(String, &str), ValueError> {
    let (local, domain) = s.rsplit_once('@').ok_or(ValueError::Empty)?;
    if let Some(q) = local.strip_prefix('"').and_then(|l| l.strip_suffix('"')) {
        let mut out = String::new();
        let mut chars = q.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => out.extend(chars.next()),
                '"' => {
                    return Err(ValueError::ForbiddenByte {
                        offset: 0,
                        byte: b'"',
                    });
                }
                c => out.push(c),
            }
        }
        Ok((out, domain))
    } else {
        forbidden(local, |c| !(is_atext(c) || c == '.'))?;
        Ok((local.to_owned(), domain))
    }
}

/// A display name's form on the wire: atoms when every word is one;
/// else runs of words that may stand raw in quoted strings (which keep
/// every space, folded or not) and the other words in encoded words of
/// their own (RFC 2047 §5(3)), one space between items standing for one
/// space of the name. Only a run of words to encode too long for one
/// encoded word is split into several, as readers differ on the white
/// space between two adjacent encoded words of a phrase (RFC 2047 §6.2
/// drops it, Python's `email` keeps a space).
fn phrase<B: BufMut>(name: &str, utf8: bool, folder: &mut Folder<'_, B>) {
    let words: Vec<&str> = name.split(' ').collect();
    // A raw word must fit a folded line, quoted and escaped, with a comma.
    let raw = |w: &str| {
        w.len() + w.matches(['"', '\\']).count() + 4 < LINE_LEN
            && w.chars().all(|c| is_raw_word_char(c, utf8))
            && !w.contains("=?")
    };
    let atoms = words
        .iter()
        .all(|w| !w.is_empty() && w.chars().all(is_atext) && raw(w));
    if atoms {
        for w in &words {
            folder.item(" ", w.as_bytes());
        }
        return;
    }
    let mut i = 0;
    while let Some(w) = words.get(i) {
        if !w.is_empty() && !raw(w) {
            // Words to encode separated by single spaces share encoded
            // words (a space between two of them would be dropped).
            let mut end = i + 1;
            while words.get(end).is_some_and(|w| !w.is_empty() && !raw(w)) {
                end += 1;
            }
            let run = words.get(i..end).unwrap_or_default().join(" ");
            encoded_words(" ", &run, folder);
            i = end;
            continue;
        }
        // A quoted string of the words up to the next one to encode; each
        // word a foldable item, the space folded before it kept by
        // unfolding.
        let end = words
            .iter()
            .skip(i)
            .position(|w| !w.is_empty() && !raw(w))
            .map_or(words.len(), |n| i + n);
        for (j, w) in words.iter().enumerate().take(end).skip(i) {
            let mut item = String::new();
            if j == i {
                item.push('"');
            }
            for c in w.chars() {
                if c == '"' || c == '\\' {
                    item.push('\\');
                }
                item.push(c);
            }
            if j + 1 == end {
                item.push('"');
            }
            folder.item(" ", item.as_bytes());
        }
        i = end;
    }
}

fn is_raw_word_char(c: char, utf8: bool) -> bool {
    c.is_ascii_graphic() || (utf8 && !c.is_ascii() && !c.is_control())
}

/// Writes `name-addr` or `addr-spec`, each item after white space.
pub(crate) fn mailbox<B: BufMut>(m: &EmailAddress, utf8: bool, folder: &mut Folder<'_, B>) {
    let spec = m.addr_spec();
    match &m.name {
        Some(name) => {
            phrase(name, utf8, folder);
            folder.item(" ", format!("<{spec}>").as_bytes());
        }
        None => folder.item(" ", spec.as_bytes()),
    }
}

/// Writes an `address-list` (RFC 5322 §3.4) after a field's colon.
pub(crate) fn address_list<B: BufMut>(
    list: &[AddressItem],
    utf8: bool,
    folder: &mut Folder<'_, B>,
) {
    for (i, item) in list.iter().enumerate() {
        if i > 0 {
            folder.put("", b",");
        }
        match item {
            AddressItem::Mailbox(m) => mailbox(m, utf8, folder),
            AddressItem::Group(g) => {
                phrase(&g.name, utf8, folder);
                folder.put("", b":");
                for (j, m) in g.members.iter().enumerate() {
                    if j > 0 {
                        folder.put("", b",");
                    }
                    mailbox(m, utf8, folder);
                }
                folder.put("", b";");
            }
        }
    }
}

/// True when some address of the list needs RFC 6532.
pub(crate) fn needs_utf8(list: &[AddressItem]) -> bool {
    list.iter().any(|item| match item {
        AddressItem::Mailbox(m) => m.is_utf8(),
        AddressItem::Group(g) => g.members.iter().any(EmailAddress::is_utf8),
    })
}
