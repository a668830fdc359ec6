//! Positions as the protocol counts them: 0-based lines, and columns in the
//! code units of the negotiated encoding (UTF-16 by default, UTF-8 or UTF-32
//! when the client offers them), converted exactly to and from byte offsets.

use lsp_types::Position;

/// How columns are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Bytes of UTF-8.
    Utf8,
    /// UTF-16 code units (the protocol's default).
    Utf16,
    /// Unicode scalar values.
    Utf32,
}

impl Encoding {
    /// The encoding to use among those a client offers (`general.positionEncodings`):
    /// UTF-8 first (no conversion), then UTF-32, else UTF-16, which every client supports.
    pub fn choose(offered: &[lsp_types::PositionEncodingKind]) -> Encoding {
        let has = |k: &lsp_types::PositionEncodingKind| offered.contains(k);
        if has(&lsp_types::PositionEncodingKind::UTF8) {
            Encoding::Utf8
        } else if has(&lsp_types::PositionEncodingKind::UTF32) {
            Encoding::Utf32
        } else {
            Encoding::Utf16
        }
    }

    /// The protocol's name for it.
    pub fn kind(self) -> lsp_types::PositionEncodingKind {
        match self {
            Encoding::Utf8 => lsp_types::PositionEncodingKind::UTF8,
            Encoding::Utf16 => lsp_types::PositionEncodingKind::UTF16,
            Encoding::Utf32 => lsp_types::PositionEncodingKind::UTF32,
        }
    }

    fn width(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
            Encoding::Utf32 => 1,
        }
    }
}

/// Byte offset of the start of each line (after `\n`; a `\r` before it belongs to the line).
fn line_start(text: &str, line: u32) -> Option<usize> {
    if line == 0 {
        return Some(0);
    }
    memchr::memchr_iter(b'\n', text.as_bytes()).nth(line as usize - 1).map(|i| i + 1)
}

/// The byte offset of a position. As the protocol says, a column past the
/// end of its line means the line's end, and a line past the end of the text
/// means the text's end; a column inside a character means its start.
pub fn offset(text: &str, pos: Position, enc: Encoding) -> usize {
    offset_in_line(text, line_start(text, pos.line), pos, enc)
}

fn offset_in_line(text: &str, start: Option<usize>, pos: Position, enc: Encoding) -> usize {
    let Some(start) = start else { return text.len() };
    let line = &text[start..];
    let end = line.find('\n').map_or(line.len(), |e| if line[..e].ends_with('\r') { e - 1 } else { e });
    let mut units = 0usize;
    for (i, c) in line[..end].char_indices() {
        let next = units + enc.width(c);
        if next > pos.character as usize {
            return start + i;
        }
        units = next;
    }
    start + end
}

/// The position of a byte offset (clamped to the text, and back to a character boundary).
pub fn position(text: &str, offset: usize) -> impl Fn(Encoding) -> Position + '_ {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = memchr::memchr_iter(b'\n', &text.as_bytes()[..start]).count() as u32;
    move |enc| {
        let character = text[start..offset].chars().map(|c| enc.width(c)).sum::<usize>() as u32;
        Position { line, character }
    }
}

/// The byte offset of a 1-based line and 1-based column counted in characters
/// (how findings give places), clamped to the line.
pub fn from_line_column(text: &str, line: usize, column: usize) -> usize {
    offset(text, line_column(line, column), Encoding::Utf32)
}

fn line_column(line: usize, column: usize) -> Position {
    Position { line: line.saturating_sub(1) as u32, character: column.saturating_sub(1) as u32 }
}

/// Where each line of a text starts, for turning many places of one text
/// into offsets without scanning it from the start each time.
pub struct Lines(Vec<usize>);

impl Lines {
    /// The line starts of `text`.
    pub fn new(text: &str) -> Lines {
        Lines(std::iter::once(0).chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1)).collect())
    }

    /// [`position`], for the text these lines are of.
    pub fn position(&self, text: &str, offset: usize, enc: Encoding) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.0.partition_point(|&s| s <= offset).saturating_sub(1);
        let character = text[self.0[line]..offset].chars().map(|c| enc.width(c)).sum::<usize>() as u32;
        Position { line: line as u32, character }
    }

    /// The range of a byte span of the text these lines are of.
    pub fn range(&self, text: &str, start: usize, end: usize, enc: Encoding) -> lsp_types::Range {
        lsp_types::Range::new(self.position(text, start, enc), self.position(text, end, enc))
    }

    /// [`from_line_column`], for the text these lines are of.
    pub fn from_line_column(&self, text: &str, line: usize, column: usize) -> usize {
        let pos = line_column(line, column);
        offset_in_line(text, self.0.get(pos.line as usize).copied(), pos, Encoding::Utf32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "a😀b\r\n漢字 [@key]\nlast";

    #[test]
    fn columns_count_the_negotiated_units() {
        let at = |enc| position(TEXT, TEXT.find('b').unwrap())(enc);
        assert_eq!(at(Encoding::Utf16), Position::new(0, 3));
        assert_eq!(at(Encoding::Utf8), Position::new(0, 5));
        assert_eq!(at(Encoding::Utf32), Position::new(0, 2));
        let key = TEXT.find("[@").unwrap();
        assert_eq!(position(TEXT, key)(Encoding::Utf16), Position::new(1, 3));
        assert_eq!(position(TEXT, key)(Encoding::Utf8), Position::new(1, 7));
    }

    #[test]
    fn offsets_round_trip_in_every_encoding() {
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            for (i, _) in TEXT.char_indices() {
                if TEXT[..i].ends_with('\r') {
                    continue; // between \r and \n: the line's end, as the protocol has it
                }
                assert_eq!(offset(TEXT, position(TEXT, i)(enc), enc), i, "{enc:?} {i}");
            }
        }
    }

    #[test]
    fn places_past_the_end_are_clamped() {
        assert_eq!(offset(TEXT, Position::new(0, 99), Encoding::Utf16), TEXT.find('\r').unwrap());
        assert_eq!(offset(TEXT, Position::new(9, 0), Encoding::Utf16), TEXT.len());
        // Inside the emoji's surrogate pair: its start.
        assert_eq!(offset(TEXT, Position::new(0, 2), Encoding::Utf16), 1);
        assert_eq!(position(TEXT, 2)(Encoding::Utf16), Position::new(0, 1));
        assert_eq!(from_line_column(TEXT, 2, 4), TEXT.find("[@").unwrap());
        let lines = Lines::new(TEXT);
        for (l, c) in [(1, 1), (1, 3), (2, 4), (2, 99), (3, 2), (9, 1)] {
            assert_eq!(lines.from_line_column(TEXT, l, c), from_line_column(TEXT, l, c), "{l}:{c}");
        }
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            for i in 0..=TEXT.len() + 2 {
                assert_eq!(lines.position(TEXT, i, enc), position(TEXT, i)(enc), "{enc:?} {i}");
            }
        }
    }
}
