//! ESORT (RFC 5267 §3.2): `SORT RETURN (…)` and the `ESEARCH` answer;
//! FILTER (RFC 5466 §3.1): the `FILTER` search key.

mod common;
use common::command;

use mailwire_imap::Limits;
use mailwire_imap::decode::{self, DecodeErrorKind};
use mailwire_imap::encode::Encode;
use mailwire_imap::types::{
    Atom, CommandBody, Data, ESearchItem, Response, SearchKey, SearchReturn, SortCriterion, SortKey,
};

#[test]
fn esort_examples() {
    // RFC 5267 §3.2 (ESORT): the return options of ESEARCH on SORT.
    let body = command(b"A282 SORT RETURN (MIN) (DATE) UTF-8 SINCE 1-Feb-1994\r\n");
    let CommandBody::ESort {
        uid,
        return_opts,
        criteria,
        search,
        ..
    } = body
    else {
        panic!("{body:?}")
    };
    assert!(!uid);
    assert_eq!(return_opts, [SearchReturn::Min]);
    assert_eq!(
        criteria,
        [SortCriterion {
            reverse: false,
            key: SortKey::Date
        }]
    );
    assert_eq!(search.len(), 1);

    let body = command(b"A283 UID SORT RETURN (COUNT MAX ALL) (REVERSE ARRIVAL) US-ASCII ALL\r\n");
    assert!(
        matches!(body, CommandBody::ESort { uid: true, ref return_opts, .. }
            if return_opts == &[SearchReturn::Count, SearchReturn::Max, SearchReturn::All]),
        "{body:?}"
    );
    // `RETURN ()`: ESEARCH with ALL.
    let body = command(b"A284 SORT RETURN () (SUBJECT) UTF-8 ALL\r\n");
    assert!(
        matches!(body, CommandBody::ESort { ref return_opts, .. } if return_opts.is_empty()),
        "{body:?}"
    );
    // Without RETURN it stays a plain SORT.
    assert!(matches!(
        command(b"A285 SORT (SUBJECT) UTF-8 ALL\r\n"),
        CommandBody::Sort { .. }
    ));
}

#[test]
fn esort_errors_say_where() {
    let wire = b"A1 SORT RETURN (MIN FIRST) (DATE) UTF-8 ALL\r\n";
    let e = decode::command(wire, &Limits::default()).unwrap_err();
    assert_eq!(e.offset, 20);
    assert!(matches!(e.kind, DecodeErrorKind::Expected { .. }), "{e:?}");
    let wire = b"A1 SORT RETURN (MIN)(DATE) UTF-8 ALL\r\n";
    let e = decode::command(wire, &Limits::default()).unwrap_err();
    assert_eq!(e.offset, 20);
}

#[test]
fn esearch_answers_to_esort() {
    // The ESEARCH responses of RFC 5267 §3.2: ALL in sort order.
    for (wire, items) in [
        (
            &b"* ESEARCH (TAG \"A282\") MIN 3 MAX 2\r\n"[..],
            vec![ESearchItem::Min(3), ESearchItem::Max(2)],
        ),
        (
            &b"* ESEARCH (TAG \"A283\") UID COUNT 3\r\n"[..],
            vec![ESearchItem::Count(3)],
        ),
    ] {
        let (r, _) = decode::response(wire, &Limits::default())
            .unwrap()
            .complete()
            .unwrap();
        let Response::Data(Data::ESearch(e)) = &r else {
            panic!("{r:?}")
        };
        assert_eq!(e.items, items);
        assert_eq!(r.to_bytes(), wire);
    }
    let wire = b"* ESEARCH (TAG \"A284\") ALL 23,1,15:17\r\n";
    let (r, _) = decode::response(wire, &Limits::default())
        .unwrap()
        .complete()
        .unwrap();
    let Response::Data(Data::ESearch(e)) = &r else {
        panic!("{r:?}")
    };
    let [ESearchItem::All(set)] = &e.items[..] else {
        panic!("{e:?}")
    };
    // The order of the sort is kept.
    assert_eq!(set.items().len(), 3);
    assert_eq!(set.numbers(100).collect::<Vec<_>>(), [23, 1, 15, 16, 17]);
}

#[test]
fn filter_search_key() {
    // RFC 5466 §3.1.
    let body = command(b"A1 SEARCH FILTER on-the-road\r\n");
    let CommandBody::Search { criteria, .. } = body else {
        panic!("{body:?}")
    };
    assert_eq!(
        criteria,
        [SearchKey::Filter(Atom::new("on-the-road").unwrap())]
    );
    let body = command(b"A2 UID SEARCH NOT FILTER junk OR FILTER a FILTER b\r\n");
    assert!(matches!(body, CommandBody::Search { .. }));
    let wire = b"A3 SEARCH FILTER (x)\r\n";
    let e = decode::command(wire, &Limits::default()).unwrap_err();
    assert_eq!(e.offset, 17);
}
