//! PDF text through the isolated helper: pages kept apart, hostile files contained.

use super::{Env, LIBRARY};

/// A minimal PDF with one line of Helvetica text per page, offsets computed.
fn pdf(pages: &[&str]) -> Vec<u8> {
    let n = pages.len();
    let font = 3 + 2 * n;
    let mut objects: Vec<String> = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".into(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {n} >>",
            (0..n).map(|i| format!("{} 0 R", 3 + 2 * i)).collect::<Vec<_>>().join(" ")
        ),
    ];
    for (i, text) in pages.iter().enumerate() {
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 {font} 0 R >> >> /Contents {} 0 R >>",
            4 + 2 * i
        ));
        let stream = format!("BT /F1 24 Tf 72 700 Td ({text}) Tj ET");
        objects.push(format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()));
    }
    objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".into());
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    out
}

#[test]
fn pdf_text_keeps_pages_apart() {
    let env = Env::new();
    env.write("references/library.yml", LIBRARY);
    std::fs::write(env.path("paper.pdf"), pdf(&["Hello page one", "Second page here"])).unwrap();
    let r = env.run(&["archive", "--attach", "darwin1859", "paper.pdf"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let log = env.read("archive/captures/darwin1859.yml");
    assert!(log.contains("text-extractor: citelock-text/1 pdf (pdf-extract 0.12)"), "{log}");
    let text = env.run(&["show", "darwin1859", "--text"]).stdout;
    let pages: Vec<&str> = text.split('\u{c}').collect();
    assert_eq!(pages.len(), 2, "{text:?}");
    assert!(pages[0].contains("Hello page one") && pages[1].contains("Second page here"), "{text:?}");
}

#[test]
fn a_hostile_pdf_is_stored_without_text_and_nothing_crashes() {
    let env = Env::new();
    env.write("references/library.yml", LIBRARY);
    let mut junk = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 1 0 R >> endobj\n".to_vec();
    junk.extend(std::iter::repeat_n(b'[', 200_000));
    std::fs::write(env.path("bad.pdf"), junk).unwrap();
    let r = env.run(&["archive", "--attach", "darwin1859", "bad.pdf"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let log = env.read("archive/captures/darwin1859.yml");
    assert!(log.contains("content-type: application/pdf") && !log.contains("text-extractor"), "{log}");
    let r = env.run(&["show", "darwin1859", "--text"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no text can be extracted"), "{}", r.stderr);
    assert_eq!(env.json(&["verify"]).0, 0);
}

#[test]
fn a_page_locator_is_checked_against_the_pdf_page() {
    let env = Env::new();
    env.write(
        "references/library.yml",
        "art:\n  type: article\n  title: A\n  author: W, W.\n  date: 2000\n  page-range: 379-380\n",
    );
    std::fs::write(env.path("a.pdf"), pdf(&["Opening words of the article", "Later words on the second page"]))
        .unwrap();
    assert_eq!(env.run(&["archive", "--attach", "art", "a.pdf"]).code, 0);
    env.write("right.md", "It says \u{201c}later words on the second page\u{201d} [@art, p. 380].\n");
    let (code, doc) = env.json(&["check", "right.md"]);
    assert_eq!((code, super::codes(&doc).len()), (0, 0), "{doc}");
    env.write("wrong.md", "It says \u{201c}later words on the second page\u{201d} [@art, p. 379].\n");
    let (_, doc) = env.json(&["check", "wrong.md"]);
    let f = super::with_code(&doc, "quote-wrong-page");
    assert_eq!(f.len(), 1, "{doc}");
    assert_eq!((f[0]["data"]["cited-page"].as_u64(), f[0]["data"]["found-page"].as_u64()), (Some(379), Some(380)));
}

/// A grey-noise PNG: what a scanned page carries instead of text.
fn png(width: u32, height: u32) -> Vec<u8> {
    use std::io::Write;
    let mut rows = Vec::new();
    for y in 0..height {
        rows.push(0u8);
        rows.extend((0..width).map(|x| ((x * 7 + y * 13) % 251) as u8));
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&rows).unwrap();
    let mut ihdr = Vec::new();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 0, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [(b"IHDR", ihdr), (b"IDAT", z.finish().unwrap()), (b"IEND", Vec::new())] {
        out.extend((data.len() as u32).to_be_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(&data);
        out.extend(kind);
        out.extend(&data);
        out.extend(crc.sum().to_be_bytes());
    }
    out
}

/// Runs Debian's pdflatex on a document; the PDF's bytes.
fn pdflatex(dir: &std::path::Path, tex: &str) -> Vec<u8> {
    std::fs::write(dir.join("doc.tex"), tex).unwrap();
    let out = std::process::Command::new("pdflatex")
        .args(["-interaction=nonstopmode", "-halt-on-error", "doc.tex"])
        .current_dir(dir)
        .output()
        .expect("pdflatex (Debian's texlive-latex-base; .ci/test installs it)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    std::fs::read(dir.join("doc.pdf")).unwrap()
}

const FILLER: &str = "Filler prose keeps the column going with plain words of no interest.";

/// A paper as pdflatex sets it: page 1 in two columns (ligatures, words
/// hyphenated at line ends); a paragraph pushed to the foot of page 2 so it
/// breaks onto page 3; page 4 a scanned image and nothing else.
fn latex_paper() -> String {
    let filler = |n| vec![FILLER; n].join(" ");
    format!(
        r"\documentclass[twocolumn]{{article}}
\usepackage{{graphicx}}
\pagestyle{{empty}}
\begin{{document}}
Our difficult official findings were reflected in fifty-five affluent offices, and the
first flawless efficiency survey confirmed them. {left}
\newpage
The right column opens with its own sentence about harbour pilots and their tides. {right}
\onecolumn
\vspace*{{0.92\textheight}}
The committee's minutes record that the bridge across the estuary was opened twice, once
for the ceremony and once for the traffic, and that the second opening drew the larger crowd
by a wide margin, which surprised the organisers who had printed programmes only for the
first; the treasurer noted the cost of the programmes, the mayor noted the weather, and the
engineer noted nothing at all because he was standing under the bridge inspecting the bolts
that held the central span to its piers while the brass band played above him.
\newpage
\noindent\includegraphics[width=\textwidth]{{scan.png}}
\end{{document}}
",
        left = filler(30),
        right = filler(30),
    )
}

#[test]
fn quotations_in_a_pdf_set_by_pdflatex() {
    let env = Env::new();
    env.write("references/library.yml", "paper:\n  type: article\n  title: Bridges\n  author: Roe, R.\n  date: 2001\n");
    std::fs::write(env.path("scan.png"), png(300, 400)).unwrap();
    let pdf = pdflatex(env.root(), &latex_paper());
    std::fs::write(env.path("paper.pdf"), pdf).unwrap();
    assert_eq!(env.run(&["archive", "--attach", "paper", "paper.pdf"]).code, 0);
    let text = env.run(&["show", "paper", "--text"]).stdout;
    let pages: Vec<&str> = text.split('\u{c}').collect();
    // The layout this test relies on, checked rather than assumed.
    assert_eq!(pages.len(), 4, "{text}");
    assert!(pages[1].contains("committee") && pages[2].contains("brass band"), "the paragraph spans pages 2-3");
    assert!(!pages[3].chars().any(char::is_alphanumeric), "page 4 is an image: {:?}", pages[3]);

    let report = "\
Ligatures and a hyphenated line end: \u{201c}our difficult official findings were reflected in fifty-five affluent \
offices, and the first flawless efficiency survey confirmed them\u{201d} [@paper, p. 1].

The second column is read after the first: \u{201c}the right column opens with its own sentence about harbour \
pilots\u{201d} [@paper, p. 1].

Across the page break: \u{201c}the second opening drew the larger crowd by a wide margin, which surprised the \
organisers who had printed programmes only for the first; the treasurer noted the cost of the programmes, the \
mayor noted the weather, and the engineer noted nothing at all\u{201d} [@paper, pp. 2-3].

From the scanned page: \u{201c}the tolls were abolished in the spring\u{201d} [@paper, p. 4].

Not in the paper at all: \u{201c}the tolls were abolished in the spring\u{201d} [@paper, p. 1].
";
    env.write("report.md", report);
    let (code, doc) = env.json(&["check", "report.md"]);
    assert_eq!(code, 1, "{doc}");
    let line_of = |f: &serde_json::Value| f["line"].as_u64().unwrap();
    let unverifiable = super::with_code(&doc, "quote-unverifiable");
    assert_eq!(unverifiable.iter().map(|f| line_of(f)).collect::<Vec<_>>(), [7], "{doc}");
    assert!(unverifiable[0]["message"].as_str().unwrap().contains("no text layer"), "{doc}");
    let missing = super::with_code(&doc, "quote-not-found");
    assert_eq!(missing.iter().map(|f| line_of(f)).collect::<Vec<_>>(), [9], "{doc}");
    assert_eq!(super::codes(&doc).len(), 2, "the three quotations from text pages verify, pages right: {doc}");

    // Paraphrases: the passage and its PDF page; a page locator ranks its page first.
    env.write(
        "claims.md",
        "The bridge was opened twice, for the ceremony and for the traffic [@paper].\n\n\
         Harbour pilots are discussed [@paper, p. 1]. The bridge opened twice [@paper, p. 1].\n",
    );
    let trace = env.run(&["trace", "claims.md", "--to", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&trace.stdout).unwrap();
    let claims = doc["claims"].as_array().unwrap();
    assert_eq!(claims.len(), 3, "{doc}");
    assert_eq!(claims[0]["evidence"][0]["page"], 2, "{}", claims[0]);
    assert!(claims[0]["evidence"][0]["text"].as_str().unwrap().contains("opened twice"), "{}", claims[0]);
    assert_eq!(claims[1]["evidence"][0]["page"], 1, "{}", claims[1]);
    assert_eq!(claims[2]["evidence"][0]["page"], 1, "the locator's page first: {}", claims[2]);
}

#[test]
fn a_pdf_of_scanned_pages_only_is_unverifiable() {
    let env = Env::new();
    env.write("references/library.yml", "scan:\n  type: book\n  title: Scans\n  author: Roe, R.\n  date: 1950\n");
    std::fs::write(env.path("scan.png"), png(200, 300)).unwrap();
    let tex = r"\documentclass{article}\usepackage{graphicx}\pagestyle{empty}\begin{document}
\noindent\includegraphics[width=\textwidth]{scan.png}\end{document}";
    std::fs::write(env.path("scan.pdf"), pdflatex(env.root(), tex)).unwrap();
    assert_eq!(env.run(&["archive", "--attach", "scan", "scan.pdf"]).code, 0);
    env.write("report.md", "It says \u{201c}the tolls were abolished in the spring\u{201d} [@scan, p. 1].\n");
    let (code, doc) = env.json(&["check", "report.md"]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(super::codes(&doc), ["quote-unverifiable"], "{doc}");
}

#[test]
fn a_latex_report_renders_to_latex_that_pdflatex_sets() {
    let env = Env::new();
    let odd = "odd:\n  type: article\n  title: 'Costs \\$5 & 100% of {DNA}: a_b ~ c^2 #1'\n  author: Doe, Ann\n  date: 2021\n  parent: {type: periodical, title: Journal of Things}\n";
    env.write("references/library.yml", &format!("{LIBRARY}{odd}"));
    env.write("copy.txt", "the origin of species\n");
    assert_eq!(env.run(&["archive", "--attach", "darwin1859", "copy.txt"]).code, 0);
    env.write(
        "paper.tex",
        "\\documentclass{article}\n\\begin{document}\nAs \\textcite{darwin1859} argued, species change \\cite[p.~12]{darwin1859}; see \\parencite{odd}.\n% \\cite{commented}\n\\printbibliography\n\\end{document}\n",
    );
    let r = env.run(&["render", "paper.tex", "-o", "out.tex"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let tex = env.read("out.tex");
    assert!(tex.contains("As Darwin (1859) argued"), "{tex}");
    assert!(tex.contains("Costs \\$5 \\& 100\\% of DNA: a\\_b \\textasciitilde{} c\\textasciicircum{}2 \\#1"), "{tex}");
    assert!(tex.contains("\\section*{References}") && !tex.contains("\\printbibliography"), "{tex}");
    let list = env.run(&["export", "--to", "latex", "--with-archive"]).stdout;
    assert!(list.starts_with("\\begin{list}") && list.contains("\\item Doe, A. (2021). Costs \\$5 \\&"), "{list}");
    // pdflatex sets it, and citelock's own PDF reader finds the text a reader sees.
    let pdf = pdflatex(env.root(), &tex);
    std::fs::write(env.path("out.pdf"), pdf).unwrap();
    assert_eq!(env.run(&["archive", "--attach", "odd", "out.pdf"]).code, 0);
    let text = env.run(&["show", "odd", "--text"]).stdout;
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    // (The PDF's own text shows `\$` and `\_` with gaps: that is how the fonts set them.)
    for seen in ["As Darwin (1859) argued", "(Darwin, 1859, p. 12); see (Doe, 2021).", "& 100% of DNA", "Copy on file"]
    {
        assert!(flat.contains(seen), "{seen:?} in {flat}");
    }
}
