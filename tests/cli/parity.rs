//! Differential tests: citelock reads the citations of generated Markdown
//! documents, and pandoc (`-t json`, its `Cite` elements) is the reference.
//! Each document mixes code blocks of every kind at every depth, lists,
//! definition lists, block quotes, footnotes, tables, raw TeX and HTML,
//! e-mail addresses, example lists, links and citations of every form; the
//! keys, in order, and their forms must be pandoc's.
//!
//! `CITELOCK_PARITY_DOCS` sets how many documents (300 by default) and
//! `CITELOCK_PARITY_SEED` the first seed (1): `bash scripts/parity.sh`
//! runs thousands with a random seed.

use serde_json::Value;

use super::{Env, Rng};

const KEYS: &[&str] = &["doe2020", "smith:99", "wang2018", "roe.a-1", "Ab_c", "x1/y2", "k"];

struct Gen(Rng);

impl Gen {
    fn key(&mut self) -> String {
        self.0.pick(KEYS).to_owned()
    }

    /// A citation, or something that looks like one and is not.
    fn citation(&mut self) -> String {
        let (a, b) = (self.key(), self.key());
        match self.0.below(22) {
            0 => format!("[@{a}]"),
            1 => format!("[see @{a}, p. {}]", self.0.below(300)),
            2 => format!("[@{a}; @{b}]"),
            3 => format!("[@{a};\n@{b}]"),
            4 => format!("@{a}"),
            5 => format!("@{a} [p. {}]", self.0.below(50)),
            6 => format!("[-@{a}]"),
            7 => format!("[@{a}, @{b}]"),
            8 => format!("[AIA; @{a}]"),
            9 => "write to me@example.org".to_owned(),
            10 => "@user".to_owned(),
            11 => format!("\\@{a}"),
            12 => format!("\\[@{a}]"),
            13 => format!("`@{a}`"),
            14 => format!("[a link](https://example.org/@{a})"),
            15 => format!("[see @{a}](https://example.org/x)"),
            16 => format!("<span class=\"c\">@{a}</span>"),
            17 => format!("<!-- @{a} -->"),
            18 => format!("\\emph{{@{a}}}"),
            19 => format!("@{a} [@{b}, ch. 2]"),
            20 => format!("[e.g. @{a}; cf. -@{b}, pp. 3-4]"),
            _ => format!("$x + @{a}$"),
        }
    }

    fn sentence(&mut self) -> String {
        let mut s = String::from(self.0.pick(&["As noted", "Some argue", "It is known", "Results differ"]));
        for _ in 0..1 + self.0.below(3) {
            s.push(' ');
            s.push_str(&self.citation());
            s.push(' ');
            s.push_str(self.0.pick(&["and more", "so", "in part", "here"]));
        }
        s.push('.');
        s
    }

    fn paragraph(&mut self) -> String {
        (0..1 + self.0.below(3)).map(|_| self.sentence()).collect::<Vec<_>>().join(" ")
    }

    /// Code of every kind, holding things that would be citations in prose.
    fn code(&mut self, indent: &str) -> String {
        let body = format!("@{} [@{}] decorator", self.key(), self.key());
        match self.0.below(4) {
            0 => format!("{indent}```\n{indent}{body}\n{indent}```"),
            1 => format!("{indent}~~~ python\n{indent}@decorator\n{indent}{body}\n{indent}~~~"),
            2 => format!("{indent}    {body}\n{indent}    @font-face {{"),
            _ => format!("{indent}\t{body}"),
        }
    }

    fn block(&mut self, depth: usize) -> String {
        let kinds = if depth > 2 { 3 } else { 12 };
        match self.0.below(kinds) {
            0 | 1 => self.paragraph(),
            2 => self.code(""),
            3 => format!("- {}\n\n  {}\n\n{}", self.paragraph(), self.paragraph(), self.code("  ")),
            4 => format!("1. {}\n2. {}\n\n{}", self.paragraph(), self.paragraph(), self.code("   ")),
            5 => format!("Term\n:   {}\n\n{}", self.paragraph(), self.code("    ")),
            6 => {
                let inner = self.block(depth + 1);
                inner.lines().map(|l| format!("> {l}")).collect::<Vec<_>>().join("\n")
            }
            7 => {
                let n = self.0.next();
                format!("{} [^n{n}]\n\n[^n{n}]: {}", self.paragraph(), self.paragraph())
            }
            8 => {
                let (a, b) = (self.citation().replace('\n', " "), self.citation().replace('\n', " "));
                format!("| a | b |\n|---|---|\n| {a} | {b} |")
            }
            9 => format!("\\begin{{figure}}\n\\caption{{As @{}}}\n\\end{{figure}}", self.key()),
            10 => {
                let label = self.0.pick(&["good", "bad", "ex1"]);
                format!("(@{label}) {}\n\nAs (@{label}) shows, @{label} holds.", self.paragraph())
            }
            _ => format!("<div>\n{}\n</div>\n\n<pre>\n@{}\n</pre>", self.citation(), self.key()),
        }
    }

    fn document(&mut self) -> String {
        let mut doc = (0..2 + self.0.below(6)).map(|_| self.block(0)).collect::<Vec<_>>().join("\n\n");
        doc.push('\n');
        doc
    }
}

/// (key, form) for every citation pandoc reads, in document order.
fn pandoc_cites(markdown: &str) -> Vec<(String, String)> {
    let mut child = std::process::Command::new("pandoc")
        .args(["-f", "markdown", "-t", "json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("pandoc is installed (README: test prerequisites)");
    use std::io::Write;
    child.stdin.take().unwrap().write_all(markdown.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut cites = Vec::new();
    walk(&doc["blocks"], &mut cites);
    cites
}

fn walk(v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(o) if o.get("t").and_then(Value::as_str) == Some("Cite") => {
            // A citation's prefix and suffix may hold citations; the
            // second element is the literal text, which holds none.
            for c in o["c"][0].as_array().unwrap() {
                walk(&c["citationPrefix"], out);
                let form = match c["citationMode"]["t"].as_str().unwrap() {
                    "AuthorInText" => "prose",
                    "SuppressAuthor" => "suppress-author",
                    _ => "normal",
                };
                out.push((c["citationId"].as_str().unwrap().to_owned(), form.to_owned()));
                walk(&c["citationSuffix"], out);
            }
        }
        Value::Object(o) => o.values().for_each(|v| walk(v, out)),
        Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
        _ => {}
    }
}

/// (key, form) for every citation citelock reads, through `trace --to json`.
fn citelock_cites(env: &Env, name: &str) -> Vec<(String, String)> {
    let out = env.run(&["trace", name, "--to", "json"]);
    let doc: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stderr));
    doc["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["cites"].as_str().unwrap().to_owned(), c["form"].as_str().unwrap().to_owned()))
        .collect()
}

#[test]
fn markdown_citations_are_pandocs() {
    let docs: u64 = std::env::var("CITELOCK_PARITY_DOCS").ok().and_then(|s| s.parse().ok()).unwrap_or(300);
    let first: u64 = std::env::var("CITELOCK_PARITY_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
    let env = Env::new();
    let (mut citations, mut failures) = (0, Vec::new());
    for seed in first..first + docs {
        let mut g = Gen(Rng::from_seed(seed));
        let doc = g.document();
        let name = format!("doc{seed}.md");
        env.write(&name, &doc);
        let theirs = pandoc_cites(&doc);
        let ours = citelock_cites(&env, &name);
        citations += theirs.len();
        if ours != theirs {
            failures.push(format!("seed {seed}:\n{doc}\npandoc:   {theirs:?}\ncitelock: {ours:?}\n"));
        }
    }
    println!("{docs} documents, {citations} citations as pandoc reads them, {} differ", failures.len());
    assert!(
        failures.is_empty(),
        "{} of {docs} documents differ:\n{}",
        failures.len(),
        failures[..failures.len().min(3)].join("\n")
    );
    assert!(citations > docs as usize, "the generator writes citations");
}
