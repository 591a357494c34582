//! Helpers shared by the syntax commands: reading CoNLL-U files and choosing a model.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use anyhow::Context;
use kroniek_core::syntax::neural::NeuralParser;
use kroniek_core::syntax::SyntaxModel;
use kroniek_core::Lang;
use kroniek_eval::conllu::{self, Sentence};

/// Reads a CoNLL-U file (plain or gzip); `-` is standard input.
pub fn read_conllu(path: &Path) -> anyhow::Result<Vec<Sentence>> {
    let result = if path.as_os_str() == "-" {
        conllu::read(std::io::stdin().lock())
    } else {
        conllu::read(File::open(path).with_context(|| format!("cannot open {}", path.display()))?)
    };
    result.with_context(|| format!("cannot read CoNLL-U from {}", path.display()))
}

/// The bytes of a file, kept for the life of the process (models borrow from them).
fn leaked_bytes(file: &Path) -> anyhow::Result<&'static [u8]> {
    let mut bytes = Vec::new();
    File::open(file)
        .with_context(|| format!("cannot open {}", file.display()))?
        .read_to_end(&mut bytes)?;
    Ok(Box::leak(bytes.into_boxed_slice()))
}

/// The model to use: a model file if given, else the embedded model of the language
/// (from `--lang`, else guessed from the file name, else detected from `sample`). With a
/// neural parser file (which needs a model file: its tagger gives the parser's tags), or a
/// `neural.bin` in the model file's directory, the neural parser replaces the model's
/// parser. `fast`: the fast pipeline parser instead (the neural file, or
/// `neural-fast.bin` next to the model file, or the embedded one, parsing from the
/// tagger's first pass).
pub fn model(
    lang: Option<&str>,
    model_file: Option<&Path>,
    neural_file: Option<&Path>,
    fast: bool,
    path: &Path,
    sample: impl FnOnce() -> String,
) -> anyhow::Result<&'static SyntaxModel> {
    if let Some(file) = model_file {
        let bytes = leaked_bytes(file)?;
        let mut m = SyntaxModel::from_bytes(bytes)
            .with_context(|| format!("cannot load {}", file.display()))?;
        // As with the embedded models, a neural parser next to the model file parses.
        let name = if fast {
            kroniek_core::syntax::NEURAL_FAST_FILE
        } else {
            kroniek_core::syntax::NEURAL_FILE
        };
        let sibling = file.parent().map(|d| d.join(name)).filter(|p| p.is_file());
        match neural_file.map(Path::to_path_buf).or(sibling) {
            Some(nf) => {
                let p = NeuralParser::from_bytes(leaked_bytes(&nf)?)
                    .with_context(|| format!("cannot load {}", nf.display()))?;
                m = if fast {
                    m.with_fast_neural(p)
                } else {
                    m.with_neural(p)
                };
            }
            None => anyhow::ensure!(!fast, "--fast with --model needs --neural FILE"),
        }
        return Ok(Box::leak(Box::new(m)));
    }
    anyhow::ensure!(
        neural_file.is_none(),
        "--neural needs --model (the tagger the neural parser was trained with)"
    );
    let lang = language(lang, path, sample)?;
    let m = if fast {
        SyntaxModel::fast_for_language(lang)
    } else {
        SyntaxModel::for_language(lang)
    };
    let m = m.with_context(|| {
        format!("no syntax model for language '{lang}' (models/{lang}/syntax.bin)")
    })?;
    anyhow::ensure!(
        !fast || m.is_first_pass(),
        "no fast parser for language '{lang}' (models/{lang}/neural-fast.bin)"
    );
    Ok(m)
}

/// The language: from `--lang`, else from the file name (`nl_…`, `en_…`), else detected
/// from `sample`.
pub fn language(
    lang: Option<&str>,
    path: &Path,
    sample: impl FnOnce() -> String,
) -> anyhow::Result<Lang> {
    match lang {
        Some(l) => {
            Lang::parse(l).with_context(|| format!("{l:?} is not a language code such as nl or en"))
        }
        None => guess_lang(path, &sample()).context("cannot tell the language; use --lang nl|en"),
    }
}

/// The words of the first sentences, for language detection.
pub fn sample_text(sentences: &[Sentence]) -> String {
    let words: Vec<&str> = sentences
        .iter()
        .take(50)
        .flat_map(|s| s.words().map(|w| w.form()))
        .collect();
    words.join(" ")
}

fn guess_lang(path: &Path, sample: &str) -> Option<Lang> {
    let name = path.file_name()?.to_string_lossy().to_lowercase();
    for (prefix, lang) in [("nl_", Lang::NL), ("en_", Lang::EN)] {
        if name.starts_with(prefix) {
            return Some(lang);
        }
    }
    kroniek_core::lang::detect(sample)
}

/// Fills UPOS, LEMMA, HEAD and DEPREL of every word with the model's prediction; XPOS,
/// FEATS and DEPS become `_`; ids, forms, MISC, comments and multiword lines are kept.
/// The sentences are analysed in batches (the same results; faster with a neural parser).
pub fn predict_all(model: &SyntaxModel, sentences: &[Sentence]) -> Vec<Sentence> {
    let mut out = Vec::with_capacity(sentences.len());
    for chunk in sentences.chunks(BATCH) {
        let forms: Vec<Vec<String>> = chunk
            .iter()
            .map(|s| s.words().map(|w| w.form().to_string()).collect())
            .collect();
        for (s, parsed) in chunk.iter().zip(model.analyse_batch(&forms)) {
            out.push(with_syntax(s, parsed));
        }
    }
    out
}

/// Sentences analysed together by [`predict_all`].
const BATCH: usize = 16;

fn with_syntax(sentence: &Sentence, parsed: Vec<kroniek_core::syntax::TokenSyntax>) -> Sentence {
    let mut out = sentence.clone();
    for (w, t) in out.words_mut().zip(parsed) {
        w.cols[2] = if t.lemma.is_empty() {
            "_".into()
        } else {
            t.lemma
        };
        w.cols[3] = t.upos.to_string();
        w.cols[4] = "_".into();
        w.cols[5] = "_".into();
        w.cols[6] = t.head.to_string();
        w.cols[7] = t.deprel.to_string();
        w.cols[8] = "_".into();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predict_keeps_everything_but_the_predicted_columns() {
        let Some(model) = SyntaxModel::for_language(Lang::EN) else {
            return;
        };
        let input = "# newdoc id = x\n# text = I don't know.\n1\tI\tI\tPRON\tPRP\tCase=Nom\t4\tnsubj\t4:nsubj\t_\n2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_\n2\tdo\tdo\tAUX\tVBP\t_\t4\taux\t4:aux\t_\n3\tn't\tnot\tPART\tRB\t_\t4\tadvmod\t4:advmod\t_\n4\tknow\tknow\tVERB\tVB\t_\t0\troot\t0:root\tSpaceAfter=No\n5\t.\t.\tPUNCT\t.\t_\t4\tpunct\t4:punct\t_\n\n";
        let sentences = conllu::read(input.as_bytes()).unwrap();
        let out = predict_all(model, &sentences[..1])[0].to_string();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "# newdoc id = x");
        assert_eq!(lines[1], "# text = I don't know.");
        assert_eq!(lines[3], "2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_");
        for line in lines
            .iter()
            .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_digit()) && !l.contains('-'))
        {
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 10);
            assert!(
                kroniek_core::syntax::Upos::parse(cols[3]).is_some(),
                "{line}"
            );
            assert!(cols[6].parse::<u32>().unwrap() <= 5);
            assert_eq!((cols[4], cols[5], cols[8]), ("_", "_", "_"));
        }
        assert!(out.contains("\tSpaceAfter=No\n"));
        assert!(out.ends_with("\n\n"));
        let again = conllu::read(out.as_bytes()).unwrap();
        assert_eq!(again[0].words().count(), 5);
    }
}
