//! NDJSON framing: one JSON value per `\n`-terminated line, at most
//! [`MAX_FRAME_LEN`] bytes. [`LineReader`] is sans-I/O: feed it whatever bytes
//! arrive and take whole frames out, so it serves blocking and async readers.

use serde::de::DeserializeOwned;
use serde::Serialize;

/// The longest line accepted, newline excluded.
pub const MAX_FRAME_LEN: usize = 64 * 1024;

/// A frame that cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// The line exceeded [`MAX_FRAME_LEN`]; it was discarded up to its newline.
    #[error("frame longer than {MAX_FRAME_LEN} bytes")]
    TooLong,
    /// The line is not the JSON that was expected.
    #[error("malformed frame: {0}")]
    Malformed(#[from] serde_json::Error),
    /// The stream failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}

/// Serialises a value as one frame, newline included.
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, FrameError> {
    let mut line = serde_json::to_vec(value)?;
    if line.len() > MAX_FRAME_LEN {
        return Err(FrameError::TooLong);
    }
    line.push(b'\n');
    Ok(line)
}

/// Parses one frame (with or without its newline).
pub fn decode<T: DeserializeOwned>(line: &[u8]) -> Result<T, FrameError> {
    Ok(serde_json::from_slice(
        line.strip_suffix(b"\n").unwrap_or(line),
    )?)
}

/// Splits a byte stream into frames, bounding memory to one maximum frame
/// plus the complete frames not yet taken.
#[derive(Debug, Default)]
pub struct LineReader {
    /// Complete lines (or over-long markers) in arrival order.
    ready: std::collections::VecDeque<Option<Vec<u8>>>,
    /// The current, incomplete line.
    partial: Vec<u8>,
    /// Inside an over-long line: drop bytes until its newline.
    discarding: bool,
    /// Room for one read from the stream ([`LineReader::buffer`]).
    chunk: Vec<u8>,
}

/// How much one read from the stream takes at most.
const CHUNK: usize = 8192;

impl LineReader {
    /// An empty reader.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds bytes read from the stream.
    pub fn push(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let newline = bytes.iter().position(|&b| b == b'\n');
            let (segment, rest) = match newline {
                Some(i) => (&bytes[..i], &bytes[i + 1..]),
                None => (bytes, &[][..]),
            };
            if !self.discarding {
                if self.partial.len() + segment.len() > MAX_FRAME_LEN {
                    self.partial.clear();
                    self.ready.push_back(None);
                    self.discarding = true;
                } else {
                    self.partial.extend_from_slice(segment);
                }
            }
            if newline.is_some() {
                if !self.discarding {
                    self.ready
                        .push_back(Some(std::mem::take(&mut self.partial)));
                }
                self.discarding = false;
            }
            bytes = rest;
        }
    }

    /// The next complete frame (without its newline), or `None` until more
    /// bytes arrive. An over-long line yields `Err(TooLong)` in its place.
    pub fn next_frame(&mut self) -> Option<Result<Vec<u8>, FrameError>> {
        self.ready
            .pop_front()
            .map(|line| line.ok_or(FrameError::TooLong))
    }

    /// Room to read the stream into; hand what was read to
    /// [`LineReader::filled`]. Every async peer's read loop is then
    /// `while let Ok(n @ 1..) = stream.read(lines.buffer()).await { for frame in lines.filled(n) { … } }`.
    pub fn buffer(&mut self) -> &mut [u8] {
        self.chunk.resize(CHUNK, 0);
        &mut self.chunk
    }

    /// Takes the `n` bytes read into [`LineReader::buffer`] and yields the
    /// frames they complete, in order.
    pub fn filled(&mut self, n: usize) -> impl Iterator<Item = Result<Vec<u8>, FrameError>> + '_ {
        let chunk = std::mem::take(&mut self.chunk);
        self.push(&chunk[..n.min(chunk.len())]);
        self.chunk = chunk;
        std::iter::from_fn(move || self.next_frame())
    }

    /// Bytes held for an incomplete line.
    pub fn pending_len(&self) -> usize {
        self.partial.len()
    }
}

/// Reads one frame from a blocking reader; `Ok(None)` at a clean end of stream.
pub fn read_frame<R: std::io::Read>(
    reader: &mut R,
    lines: &mut LineReader,
) -> Result<Option<Vec<u8>>, FrameError> {
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(frame) = lines.next_frame() {
            return frame.map(Some);
        }
        let n = reader.read(&mut chunk)?;
        if n == 0 {
            return Ok(None);
        }
        lines.push(&chunk[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(reader: &mut LineReader) -> Vec<Result<Vec<u8>, String>> {
        std::iter::from_fn(|| reader.next_frame())
            .map(|f| f.map_err(|e| e.to_string()))
            .collect()
    }

    #[test]
    fn splits_lines_across_pushes() {
        let mut r = LineReader::new();
        r.push(b"{\"a\":1}\n{\"b\"");
        r.push(b":2}\n");
        assert_eq!(
            frames(&mut r),
            [Ok(b"{\"a\":1}".to_vec()), Ok(b"{\"b\":2}".to_vec())]
        );
        assert_eq!(r.pending_len(), 0);
    }

    #[test]
    fn overlong_line_is_reported_once_and_skipped() {
        let mut r = LineReader::new();
        let big = vec![b'x'; MAX_FRAME_LEN + 10];
        for chunk in big.chunks(1000) {
            r.push(chunk);
            assert!(
                r.pending_len() <= MAX_FRAME_LEN + 16,
                "memory stays bounded"
            );
        }
        r.push(b"tail\n{\"ok\":true}\n");
        let got = frames(&mut r);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[0].is_err());
        assert_eq!(got[1], Ok(b"{\"ok\":true}".to_vec()));
    }

    #[test]
    fn overlong_line_in_one_push() {
        let mut r = LineReader::new();
        let mut bytes = b"{\"first\":1}\n".to_vec();
        bytes.extend(vec![b'y'; MAX_FRAME_LEN + 1]);
        bytes.extend(b"\n{\"last\":2}\n");
        r.push(&bytes);
        let got = frames(&mut r);
        assert_eq!(got.len(), 3);
        assert!(got[0].is_ok() && got[1].is_err() && got[2].is_ok());
    }

    #[test]
    fn line_of_exactly_max_len_is_accepted() {
        let mut r = LineReader::new();
        let mut line = vec![b'z'; MAX_FRAME_LEN];
        line.push(b'\n');
        r.push(&line);
        assert_eq!(frames(&mut r)[0].as_ref().map(Vec::len), Ok(MAX_FRAME_LEN));
    }

    #[test]
    fn frames_of_up_to_64_kib_are_written_and_longer_ones_refused() {
        // A JSON string of n characters is n + 2 bytes with its quotes.
        let exact = "x".repeat(64 * 1024 - 2);
        assert_eq!(encode(&exact).unwrap().len(), 64 * 1024 + 1);
        let over = "x".repeat(64 * 1024 - 1);
        assert!(matches!(encode(&over), Err(FrameError::TooLong)));
    }

    #[test]
    fn an_incomplete_line_is_held_until_its_newline() {
        let mut r = LineReader::new();
        r.push(b"{\"a\":");
        assert_eq!(r.pending_len(), 5);
        assert!(r.next_frame().is_none());
        r.push(b"1}\n");
        assert_eq!(r.pending_len(), 0);
        assert_eq!(r.next_frame().unwrap().unwrap(), b"{\"a\":1}");
    }

    #[test]
    fn frames_read_into_the_buffer_come_out_whole() {
        let mut r = LineReader::new();
        let stream = b"{\"a\":1}\n{\"b\":";
        r.buffer()[..stream.len()].copy_from_slice(stream);
        let frames: Vec<_> = r.filled(stream.len()).map(Result::unwrap).collect();
        assert_eq!(frames, [b"{\"a\":1}".to_vec()]);
        let rest = b"2}\n";
        r.buffer()[..rest.len()].copy_from_slice(rest);
        let frames: Vec<_> = r.filled(rest.len()).map(Result::unwrap).collect();
        assert_eq!(frames, [b"{\"b\":2}".to_vec()]);
    }

    #[test]
    fn encode_decode_round_trip() {
        let line = encode(&serde_json::json!({"k": [1, 2]})).unwrap();
        assert!(line.ends_with(b"\n"));
        let back: serde_json::Value = decode(&line).unwrap();
        assert_eq!(back, serde_json::json!({"k": [1, 2]}));
        assert!(matches!(
            decode::<serde_json::Value>(b"{nope"),
            Err(FrameError::Malformed(_))
        ));
    }

    #[test]
    fn read_frame_from_blocking_reader() {
        let mut input: &[u8] = b"{\"a\":1}\n{\"b\":2}";
        let mut lines = LineReader::new();
        assert_eq!(
            read_frame(&mut input, &mut lines).unwrap(),
            Some(b"{\"a\":1}".to_vec())
        );
        assert_eq!(
            read_frame(&mut input, &mut lines).unwrap(),
            None,
            "a partial last line is no frame"
        );
    }
}
