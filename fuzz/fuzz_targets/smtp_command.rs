#![no_main]
//! SMTP commands: the streaming decoder gives the same commands and errors
//! however the input is split (message data after DATA and BDAT read with
//! the DATA decoder and BDAT chunk reader), and every decoded command
//! encodes to bytes that decode back to the same command.

use libfuzzer_sys::fuzz_target;
use mailwire_smtp::Limits;
use mailwire_smtp::decode::{self, BdatChunk, CommandDecoder, DataChunk, DataDecoder, DecodeError};
use mailwire_smtp::encode::Encode;
use mailwire_smtp::types::{Command, Stop};

#[derive(Debug, PartialEq)]
enum Event {
    Command(usize, Result<Command<'static>, DecodeError>),
    Data(Vec<u8>),
    Bdat(Vec<u8>),
}

fn stream(input: &[u8], chunk: usize, limits: Limits) -> Vec<Event> {
    let mut d = CommandDecoder::new(limits);
    let mut data = DataDecoder::new(limits);
    let mut bdat: Option<BdatChunk> = None;
    let mut body = Vec::new();
    let mut out = Vec::new();
    for piece in input.chunks(chunk.max(1)) {
        d.push(piece);
        loop {
            match d.stopped() {
                Some(Stop::Data) => match d.next_data(&mut data) {
                    Some(DataChunk::Body(b)) => {
                        body.extend_from_slice(&b);
                        continue;
                    }
                    Some(DataChunk::End(_)) => {
                        out.push(Event::Data(std::mem::take(&mut body)));
                        data.reset();
                        continue;
                    }
                    None => break,
                },
                Some(Stop::Bdat { .. }) => {
                    let c = bdat.as_mut().expect("a chunk for every BDAT");
                    while let Some(part) = d.next_bdat(c) {
                        body.extend_from_slice(&part);
                    }
                    if !c.is_complete() {
                        break;
                    }
                    bdat = None;
                    out.push(Event::Bdat(std::mem::take(&mut body)));
                    continue;
                }
                Some(_) => d.resume(),
                None => {}
            }
            let at = d.offset();
            match d.next_command() {
                Some(r) => {
                    if let Ok(cmd) = &r
                        && let Some(stop) = cmd.stop()
                    {
                        bdat = BdatChunk::from_stop(stop);
                        // A zero-size chunk is complete at once.
                        if let Some(c) = bdat.as_mut()
                            && c.is_complete()
                        {
                            let _ = d.next_bdat(c);
                            bdat = None;
                            out.push(Event::Bdat(Vec::new()));
                        }
                    }
                    out.push(Event::Command(at, r));
                }
                None => break,
            }
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&control, input)) = data.split_first() else {
        return;
    };
    let mut limits = Limits::default();
    if control & 0x80 != 0 {
        limits.command_line = usize::from(control & 0x3f);
        limits.path = usize::from(control & 0x1f) * 4;
    }
    let chunk = usize::from(control & 0x3f) + 1;
    let whole = stream(input, input.len(), limits);
    assert_eq!(stream(input, chunk, limits), whole, "chunk {chunk}");
    let mut wide = Limits::default();
    wide.command_line = usize::MAX;
    wide.path = usize::MAX;
    for event in &whole {
        let Event::Command(_, Ok(cmd)) = event else {
            continue;
        };
        let bytes = cmd.to_bytes();
        let (again, used) = decode::command(&bytes, &wide)
            .expect("an encoded command decodes")
            .complete()
            .expect("an encoded command is complete");
        assert_eq!(used, bytes.len());
        assert_eq!(&again, cmd, "{}", String::from_utf8_lossy(&bytes));
    }
});
