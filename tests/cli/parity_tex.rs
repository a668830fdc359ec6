//! Differential tests for LaTeX and Typst reports: the citation keys
//! citelock reads, in order, against what the reference tools read from the
//! same generated documents: pdflatex's `.aux` file (`\citation{…}` lines,
//! natbib's commands) and Typst's own compiler (`typst.query(doc, "cite")`,
//! PyPI `typst`), which compiles each document against the
//! `references/library.yml` that `citelock add` wrote: our library files
//! work in Typst documents.
//!
//! `CITELOCK_PARITY_DOCS` scales both (LaTeX runs a tenth of it, Typst a
//! fifth: each document is one compiler run).

use serde_json::Value;

use super::{Env, Rng};

const KEYS: &[&str] = &["doe2020", "smith99", "wang:2018", "roe-a", "Ab_c"];

struct Gen(Rng);

impl Gen {
    fn key(&mut self) -> &'static str {
        self.0.pick(KEYS)
    }

    fn latex_cite(&mut self) -> String {
        let (a, b) = (self.key(), self.key());
        match self.0.below(16) {
            0 => format!("\\cite{{{a}}}"),
            1 => format!("\\cite{{{a}, {b}}}"),
            2 => format!("\\citep[p.~{}]{{{a}}}", self.0.below(90)),
            3 => format!("\\citep[see][ch. 2]{{{a},{b}}}"),
            4 => format!("\\citet*{{{a}}}"),
            5 => format!("\\Citet {{{a}}}"),
            6 => format!("\\citealp\n  [p. 3]{{{a}}}"),
            7 => format!("\\citeauthor{{{a}}} and \\citeyear{{{b}}}"),
            8 => format!("\\nocite{{{a}}}"),
            9 => format!("% \\cite{{{a}}} commented out\n"),
            10 => format!("50\\% of \\cite{{{a}}}"),
            11 => format!("\\verb|\\cite{{{a}}}|"),
            12 => format!("\\seeit{{{a}}}"),
            13 => "\\std{}".to_owned(),
            14 => format!("\\\\% \\cite{{{a}}}\n"),
            _ => format!("\\emph{{as \\cite{{{a}}}}}"),
        }
    }

    fn latex(&mut self) -> String {
        let mut body = String::new();
        for _ in 0..3 + self.0.below(6) {
            match self.0.below(6) {
                0 => body.push_str(&format!("\\begin{{verbatim}}\n\\cite{{{}}}\n\\end{{verbatim}}\n", self.key())),
                1 => body.push_str(&format!("\\begin{{comment}}\n\\cite{{{}}}\n\\end{{comment}}\n", self.key())),
                _ => {
                    for _ in 0..1 + self.0.below(4) {
                        body.push_str("Text ");
                        body.push_str(&self.latex_cite());
                        body.push_str(" more.\n");
                    }
                    body.push('\n');
                }
            }
        }
        format!(
            "\\documentclass{{article}}\n\\usepackage{{natbib}}\n\\usepackage{{verbatim}}\n\
             \\newcommand{{\\seeit}}[1]{{see \\citet{{#1}}}}\n\\newcommand\\std{{\\citep{{iso}}}}\n\
             \\begin{{document}}\n{body}\\end{{document}}\n"
        )
    }

    fn typst_cite(&mut self) -> String {
        let (a, b) = (self.key(), self.key());
        let label = |k: &str| if k.contains(':') { format!("label(\"{k}\")") } else { format!("<{k}>") };
        match self.0.below(11) {
            0 => format!("@{a}"),
            1 => format!("@{a}[p. {}]", self.0.below(90)),
            2 => format!("#cite({})", label(a)),
            3 => format!("#cite({}, form: \"prose\")", label(a)),
            4 => format!("#cite(label(\"{a}\"), supplement: [ch. 2])"),
            5 => format!("// @{a} commented\n"),
            6 => format!("`@{a}` in code"),
            7 => format!("/* @{b} */ and @{a}"),
            8 => "mail me\\@example.org".to_owned(),
            9 => format!("#cite({}, form: \"year\")", label(a)),
            _ => format!("```\n@{a}\n```\n"),
        }
    }

    fn typst(&mut self) -> String {
        let mut doc = String::from("#set heading(numbering: \"1.\")\n= Intro <intro>\nSee @intro.\n\n");
        for _ in 0..2 + self.0.below(5) {
            for _ in 0..1 + self.0.below(4) {
                doc.push_str("Text ");
                doc.push_str(&self.typst_cite());
                doc.push_str(" more.\n");
            }
            doc.push('\n');
        }
        doc.push_str("#bibliography(\"references/library.yml\")\n");
        doc
    }
}

fn ours(env: &Env, name: &str) -> Vec<String> {
    let out = env.run(&["trace", name, "--to", "json"]);
    let doc: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stderr));
    doc["claims"].as_array().unwrap().iter().map(|c| c["cites"].as_str().unwrap().to_owned()).collect()
}

fn docs(divisor: u64) -> std::ops::Range<u64> {
    let n: u64 = std::env::var("CITELOCK_PARITY_DOCS").ok().and_then(|s| s.parse().ok()).unwrap_or(300);
    let first: u64 = std::env::var("CITELOCK_PARITY_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
    first..first + (n / divisor).max(1)
}

#[test]
fn latex_citations_are_the_aux_files() {
    let env = Env::new();
    let (mut total, mut failures) = (0, Vec::new());
    let seeds = docs(10);
    for seed in seeds.clone() {
        let doc = Gen(Rng::from_seed(seed)).latex();
        let name = format!("doc{seed}.tex");
        env.write(&name, &doc);
        let run = std::process::Command::new("pdflatex")
            .args(["-interaction=batchmode", "-halt-on-error", &name])
            .current_dir(env.root())
            .output()
            .expect("pdflatex is installed (README: test prerequisites)");
        assert!(run.status.success(), "pdflatex failed on seed {seed}:\n{doc}");
        let aux = env.read(&format!("doc{seed}.aux"));
        let theirs: Vec<String> = aux
            .lines()
            .filter_map(|l| l.strip_prefix("\\citation{")?.strip_suffix('}'))
            .flat_map(|keys| keys.split(',').map(|k| k.trim().to_owned()))
            .collect();
        total += theirs.len();
        let ours = ours(&env, &name);
        if ours != theirs {
            failures.push(format!("seed {seed}:\n{doc}\naux:      {theirs:?}\ncitelock: {ours:?}\n"));
        }
    }
    println!("{} LaTeX documents, {total} citations in the .aux files, {} differ", seeds.count(), failures.len());
    assert!(failures.is_empty(), "{}", failures[..failures.len().min(3)].join("\n"));
    assert!(total > 0);
}

/// A BibTeX file with every key: citelock imports it, and Typst compiles
/// the documents against the hayagriva YAML citelock wrote.
fn library() -> String {
    KEYS.iter()
        .map(|k| format!("@book{{{k}, title = {{Title of {k}}}, author = {{Doe, Jane}}, year = 2020}}\n"))
        .collect()
}

#[test]
fn typst_citations_are_typsts() {
    let python = "import json, sys, typst\n\
                  out = []\n\
                  for path in sys.argv[1:]:\n\
                  \x20   out.append(json.loads(typst.query(path, 'cite', field='key')))\n\
                  print(json.dumps(out))\n";
    let env = Env::new();
    env.write("refs.bib", &library());
    assert_eq!(env.run(&["add", "--bibtex", "refs.bib"]).code, 0);
    let seeds: Vec<u64> = docs(5).collect();
    let mut names = Vec::new();
    for &seed in &seeds {
        let name = format!("doc{seed}.typ");
        env.write(&name, &Gen(Rng::from_seed(seed)).typst());
        names.push(name);
    }
    let run = std::process::Command::new("python3")
        .arg("-c")
        .arg(python)
        .args(&names)
        .current_dir(env.root())
        .output()
        .expect("python3 is installed");
    assert!(run.status.success(), "typst (PyPI) is installed and compiles: {}", String::from_utf8_lossy(&run.stderr));
    let theirs: Vec<Vec<String>> = serde_json::from_slice(&run.stdout).unwrap();
    // Typst prints labels in angle brackets.
    let theirs = theirs
        .into_iter()
        .map(|keys| keys.into_iter().map(|k| k.trim_matches(['<', '>']).to_owned()).collect::<Vec<_>>());
    let (mut total, mut failures) = (0, Vec::new());
    for (name, theirs) in names.iter().zip(theirs) {
        total += theirs.len();
        let ours = ours(&env, name);
        if ours != theirs {
            failures.push(format!("{name}:\n{}\ntypst:    {theirs:?}\ncitelock: {ours:?}\n", env.read(name)));
        }
    }
    println!("{} Typst documents, {total} citations as Typst reads them, {} differ", names.len(), failures.len());
    assert!(failures.is_empty(), "{}", failures[..failures.len().min(3)].join("\n"));
    assert!(total > 0);
}
