//! GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=…::message`.

use std::io::{self, Write};

use crate::findings::{Findings, Severity};

/// Escapes a message (`%`, CR, LF), as the runner's toolkit does.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a property value: also `:` and `,`.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub(super) fn write(findings: &Findings, out: &mut dyn Write) -> io::Result<()> {
    for f in findings.items() {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = Vec::new();
        if let Some(loc) = &f.location {
            props.push(format!("file={}", escape_property(&loc.file)));
            let fields =
                [("line", loc.line), ("col", loc.column), ("endLine", loc.end_line), ("endColumn", loc.end_column)];
            for (name, value) in fields {
                if let Some(v) = value {
                    props.push(format!("{name}={v}"));
                }
            }
        }
        props.push(format!("title={}", escape_property(f.code.name())));
        let mut message = f.message.clone();
        if let Some(help) = &f.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        writeln!(out, "::{command} {}::{}", props.join(","), escape_data(&message))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_actions_toolkit() {
        assert_eq!(escape_data("50% a\nb"), "50%25 a%0Ab");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
