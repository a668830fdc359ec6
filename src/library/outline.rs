//! A position-aware outline of a hayagriva YAML file: each top-level key with
//! its line, the lines its entry spans, and the field names it uses (its
//! parents' too). hayagriva's own parser gives no positions and drops unknown
//! fields; the outline supplies both, from one pass of an event parser that
//! never expands aliases (so alias bombs cost nothing here).

use saphyr_parser::{Event, Parser, Span};

/// A field name as written, with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The name (`title`, `titel`).
    pub name: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column in characters.
    pub column: usize,
    /// Width in characters as written (quotes included).
    pub width: usize,
    /// 0 for the entry's own fields, 1 for its parent's, and so on.
    pub depth: usize,
    /// The scalar written for a numbered field (`issue`, `volume`, `edition`)
    /// or a URL (a `url` mapping's `value`), which hayagriva may read
    /// differently ([`super::written`]), or for `date-end`, which it ignores.
    pub value: Option<String>,
}

/// One top-level key and what its entry spans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The citation key, as written.
    pub key: String,
    /// 1-based line of the key.
    pub line: usize,
    /// 1-based column of the key, in characters.
    pub column: usize,
    /// The key's width in characters, as it appears (quotes included).
    pub width: usize,
    /// The last line that holds any of the entry's content.
    pub last_line: usize,
    /// Field names used by the entry and its parents.
    pub fields: Vec<Field>,
}

/// The outline of one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outline {
    /// Top-level keys in file order.
    pub items: Vec<Item>,
    /// Whether the file uses YAML aliases (`*name`).
    pub aliases: bool,
}

impl Outline {
    /// Whether every key starts its own line at column 1, so that an entry's
    /// text is exactly the lines from its key to the next key.
    pub fn is_block(&self) -> bool {
        self.items.iter().all(|i| i.column == 1) && self.items.windows(2).all(|w| w[0].line < w[1].line)
    }
}

/// Why a file could not be outlined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column in characters.
    pub column: usize,
    /// The parser's message.
    pub message: String,
}

type Events<'a> = Parser<'a, saphyr_parser::StrInput<'a>>;

struct Walker<'a> {
    parser: Events<'a>,
    aliases: bool,
}

impl<'a> Walker<'a> {
    fn next(&mut self) -> Result<(Event<'a>, Span), SyntaxError> {
        match self.parser.next_event() {
            Some(Ok(ev)) => {
                self.aliases |= matches!(ev.0, Event::Alias(_));
                Ok(ev)
            }
            Some(Err(e)) => {
                Err(SyntaxError { line: e.marker().line(), column: e.marker().col() + 1, message: e.info().to_owned() })
            }
            None => Err(SyntaxError { line: 1, column: 1, message: "unexpected end of input".into() }),
        }
    }

    /// Skips the rest of a node whose first event was `first`; returns the last line it touches.
    fn skip(&mut self, first: &Event, span: Span) -> Result<usize, SyntaxError> {
        let mut last = last_line(span);
        let mut depth = match first {
            Event::MappingStart(..) | Event::SequenceStart(..) => 1,
            _ => 0,
        };
        while depth > 0 {
            let (ev, span) = self.next()?;
            last = last.max(last_line(span));
            match ev {
                Event::MappingStart(..) | Event::SequenceStart(..) => depth += 1,
                Event::MappingEnd | Event::SequenceEnd => depth -= 1,
                _ => {}
            }
        }
        Ok(last)
    }

    /// Reads a mapping whose `MappingStart` was consumed, recording field names.
    fn entry(&mut self, depth: usize, fields: &mut Vec<Field>) -> Result<usize, SyntaxError> {
        let mut last = 0;
        loop {
            let (ev, span) = self.next()?;
            match ev {
                Event::MappingEnd => return Ok(last),
                Event::Scalar(name, ..) => {
                    last = last.max(last_line(span));
                    let (value, vspan) = self.next()?;
                    let written = match &value {
                        Event::Scalar(text, ..)
                            if super::written::FIELDS.contains(&name.as_ref())
                                || name == "url"
                                || name == "date-end" =>
                        {
                            Some(text.to_string())
                        }
                        _ => None,
                    };
                    fields.push(Field {
                        width: width(span, &name),
                        name: name.into_owned(),
                        line: span.start.line(),
                        column: span.start.col() + 1,
                        depth,
                        value: written,
                    });
                    last = last.max(match fields.last().map(|f| f.name.as_str()) {
                        Some("parent") => self.parent(&value, vspan, depth + 1, fields)?,
                        Some("url") if matches!(value, Event::MappingStart(..)) => {
                            let (last, url) = self.url(vspan)?;
                            fields.last_mut().expect("pushed above").value = url;
                            last
                        }
                        _ => self.skip(&value, vspan)?,
                    });
                }
                other => {
                    // A complex key (a mapping or list used as a key): skip it and its value.
                    last = last.max(self.skip(&other, span)?);
                    let (value, vspan) = self.next()?;
                    last = last.max(self.skip(&value, vspan)?);
                }
            }
        }
    }

    /// The rest of a `url:` mapping (its `MappingStart` consumed): the last
    /// line it touches and the scalar written as its `value`.
    fn url(&mut self, span: Span) -> Result<(usize, Option<String>), SyntaxError> {
        let (mut last, mut url) = (last_line(span), None);
        loop {
            let (ev, span) = self.next()?;
            last = last.max(last_line(span));
            if ev == Event::MappingEnd {
                return Ok((last, url));
            }
            let (value, vspan) = self.next()?;
            match (&ev, &value) {
                (Event::Scalar(name, ..), Event::Scalar(text, ..)) if name == "value" => {
                    url = Some(text.to_string());
                    last = last.max(last_line(vspan));
                }
                _ => last = last.max(self.skip(&ev, span)?).max(self.skip(&value, vspan)?),
            }
        }
    }

    /// A `parent:` value: one mapping or a sequence of them.
    fn parent(
        &mut self,
        first: &Event,
        span: Span,
        depth: usize,
        fields: &mut Vec<Field>,
    ) -> Result<usize, SyntaxError> {
        match first {
            Event::MappingStart(..) => Ok(self.entry(depth, fields)?.max(last_line(span))),
            Event::SequenceStart(..) => {
                let mut last = last_line(span);
                loop {
                    let (ev, span) = self.next()?;
                    match ev {
                        Event::SequenceEnd => return Ok(last.max(last_line(span))),
                        Event::MappingStart(..) => last = last.max(self.entry(depth, fields)?),
                        other => last = last.max(self.skip(&other, span)?),
                    }
                }
            }
            other => self.skip(other, span),
        }
    }
}

/// A scalar's width as written: its span on one line, else its text.
fn width(span: Span, text: &str) -> usize {
    if span.end.line() == span.start.line() { span.end.col() - span.start.col() } else { text.chars().count() }
}

/// The last line a span covers: an end at column 0 belongs to the line before.
fn last_line(span: Span) -> usize {
    let end = span.end;
    if end.col() == 0 && end.line() > span.start.line() { end.line() - 1 } else { end.line() }
}

/// Guards serde_yaml, which takes quadratic time on deep nesting (100,000
/// levels: 18 s): files it reads pass through here first. Only flow
/// collections (`[`, `{`) nest deeply in little text, so brackets are counted
/// (quotes ignored, which can only over-count); text that may nest deeper
/// than serde_yaml's own limit of 128 is read event by event, in linear time,
/// for the error and its line.
pub fn check(text: &str) -> Result<(), SyntaxError> {
    let mut depth = 0usize;
    let mut deepest = 0;
    for b in text.bytes() {
        match b {
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if deepest <= 128 {
        return Ok(());
    }
    let mut w = Walker { parser: Parser::new_from_str(text), aliases: false };
    while w.next()?.0 != Event::StreamEnd {}
    Ok(())
}

/// Outlines `text`.
pub fn outline(text: &str) -> Result<Outline, SyntaxError> {
    let mut w = Walker { parser: Parser::new_from_str(text), aliases: false };
    let mut out = Outline::default();
    let structure = |span: Span, message: &str| SyntaxError {
        line: span.start.line(),
        column: span.start.col() + 1,
        message: message.to_owned(),
    };
    let mut documents = 0;
    loop {
        let (ev, span) = w.next()?;
        match ev {
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
            Event::StreamEnd => {
                trim_blank_tails(text, &mut out);
                out.aliases = w.aliases;
                return Ok(out);
            }
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(structure(span, "a references file holds one YAML document; found a second `---`"));
                }
            }
            Event::Scalar(value, ..) if value.is_empty() || value == "~" || value == "null" => {}
            Event::MappingStart(..) => top_level(&mut w, &mut out)?,
            _ => {
                return Err(structure(
                    span,
                    "the top level must map citation keys to entries (`key:` then its fields)",
                ));
            }
        }
    }
}

/// Block scalars end after their trailing blank lines; an entry ends at its last non-blank line.
fn trim_blank_tails(text: &str, out: &mut Outline) {
    let lines: Vec<&str> = text.lines().collect();
    for item in &mut out.items {
        while item.last_line > item.line && lines.get(item.last_line - 1).is_none_or(|l| l.trim().is_empty()) {
            item.last_line -= 1;
        }
    }
}

fn top_level(w: &mut Walker, out: &mut Outline) -> Result<(), SyntaxError> {
    loop {
        let (ev, span) = w.next()?;
        let key = match ev {
            Event::MappingEnd => return Ok(()),
            Event::Scalar(key, ..) => key.into_owned(),
            _ => {
                return Err(SyntaxError {
                    line: span.start.line(),
                    column: span.start.col() + 1,
                    message: "a citation key must be a plain string".into(),
                });
            }
        };
        let mut item = Item {
            width: width(span, &key),
            key,
            line: span.start.line(),
            column: span.start.col() + 1,
            last_line: span.start.line(),
            fields: Vec::new(),
        };
        let (value, vspan) = w.next()?;
        let last = match value {
            Event::MappingStart(..) => w.entry(0, &mut item.fields)?.max(last_line(vspan)),
            other => w.skip(&other, vspan)?,
        };
        item.last_line = item.last_line.max(last);
        out.items.push(item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "\
# comment
smith2020:
  type: article
  titel: A study
  parent:
    type: periodical
    title: Nature
    volumne: 3

\"gaonkar:in\":
  type: book
  note: |
    two
    lines

";

    #[test]
    fn keys_fields_and_spans() {
        let o = outline(TEXT).unwrap();
        assert_eq!(o.items.len(), 2);
        let a = &o.items[0];
        assert_eq!((a.key.as_str(), a.line, a.column, a.last_line), ("smith2020", 2, 1, 8));
        let names: Vec<_> = a.fields.iter().map(|f| (f.name.as_str(), f.line, f.depth)).collect();
        assert_eq!(
            names,
            [("type", 3, 0), ("titel", 4, 0), ("parent", 5, 0), ("type", 6, 1), ("title", 7, 1), ("volumne", 8, 1)]
        );
        let b = &o.items[1];
        assert_eq!((b.key.as_str(), b.line, b.width, b.last_line), ("gaonkar:in", 10, 12, 14));
        assert!(o.is_block());
    }

    #[test]
    fn syntax_error_has_a_position() {
        let e = outline("a:\n  type: book\n  title: [unclosed\n").unwrap_err();
        assert!(e.line >= 3, "{e:?}");
    }

    #[test]
    fn top_level_list_is_rejected_and_empty_file_is_fine() {
        assert!(outline("- a\n- b\n").is_err());
        assert_eq!(outline("# nothing\n").unwrap().items.len(), 0);
        assert_eq!(outline("").unwrap().items.len(), 0);
    }

    #[test]
    fn aliases_are_not_expanded() {
        let bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n";
        assert_eq!(outline(bomb).unwrap().items.len(), 3);
    }
}
