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
