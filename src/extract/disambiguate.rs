//! Drops label matches that the paper's own context contradicts. The rules are general, not
//! lists of titles:
//!
//! 1. **Conflicting definition.** When the paper defines a matched acronym itself and the long
//!    form is about something else (`SAM (Sharpness-Aware Minimization)`, `MAMBA: Multi-level
//!    Aggregation via Memory Bank`), matches of that acronym are not the concept.
//! 2. **Short acronyms need support.** A bare acronym label of three letters or fewer (`SAM`,
//!    `MoE`, `RAG`) counts only when the paper also names the concept, an ancestor (below the
//!    top level), a narrower or a sibling concept, in words (`segmentation` for `SAM`), or defines the acronym with a
//!    long form that mentions such a concept. A concept marked `pg:unambiguousAcronym` (`GPU`)
//!    is exempt.
//! 3. **Idioms.** `attention` right after verbs like *received*, *drawn*, *attracted*, *paid*
//!    is the English idiom, not the mechanism.
//! 4. **Senses.** A concept marked `pg:needsSense` (`memory`) is an umbrella over senses that
//!    share its words. A bare mention of it is dropped when the paper names one of its
//!    descendants (`memory` beside `memory footprint`), and otherwise becomes the narrower sense
//!    the paper's other concepts point to: each sense scores two for every
//!    mentioned concept in its own subtree and one for every one under its other parents
//!    (`agent memory` is also under `AI agent`, `memory efficiency` under `ML systems`). A
//!    unique best score wins; with no evidence the bare concept stays.
//! 5. **Other fields' senses.** A concept may declare words of other fields where its labels
//!    mean something else (`pg:otherSenseContext` in the taxonomy: `power grid` and
//!    `oil-immersed` for `transformer`, `social network` for `diffusion model`, `snake` for
//!    `mamba`). When the paper uses one of them, the concept's mentions count only with support
//!    from its neighbourhood: another mentioned concept that is an ancestor below the top
//!    level, a narrower or a sibling concept.
//! 6. **Derived forms need support.** A verb or adjective form (`pg:derivedForm`: `pruned`,
//!    `distilled`) is used more loosely than a technique's name (`prune the search space`,
//!    `distilled water`), so it counts only when the paper also names the concept or a concept
//!    of its neighbourhood (as in rule 2) by a label.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use regex::Regex;

use super::labels::{Mention, CONFIDENCE_ACRONYM, CONFIDENCE_DERIVED};
use super::taxonomy::Taxonomy;
use super::Definition;
use crate::model::Paper;

/// Children above this many make siblings too loose to count as support.
const MAX_SIBLINGS: usize = 15;
/// Bare acronyms up to this many letters need support (rule 2).
const SHORT_ACRONYM_LETTERS: usize = 3;

static IDIOM_VERB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(receiv|drew|drawn|draw|attract|gain|paid|pay|garner|got|get|deserv|captur|grab|catch|caught)").unwrap()
});

/// Per-concept neighbourhoods of a taxonomy, computed once.
pub struct Context {
    broader: Vec<Vec<usize>>,
    narrower: Vec<Vec<usize>>,
    /// For each concept: itself and everything below it, sorted.
    subtree: Vec<Vec<usize>>,
    needs_sense: Vec<bool>,
    unambiguous_acronym: Vec<bool>,
    /// For each concept (by index): itself, its ancestors below the top level, its narrower and
    /// sibling concepts, sorted.
    related: Vec<Vec<usize>>,
    /// Lower-cased labels that are English words with idiomatic uses (rule 3).
    idiom_labels: Vec<String>,
    /// Words of other fields where a concept's labels mean something else (rule 5), lower-cased,
    /// of every concept, found in any ASCII case in one pass.
    other_sense_words: AhoCorasick,
    /// The concept of each of `other_sense_words`' patterns (ascending).
    other_sense_owner: Vec<usize>,
}

impl Context {
    pub fn new(taxonomy: &Taxonomy) -> Self {
        let index_of = |iri| taxonomy.concepts.binary_search_by(|c| c.iri.cmp(iri)).ok();
        let count = taxonomy.concepts.len();
        let mut broader = vec![Vec::new(); count];
        let mut narrower = vec![Vec::new(); count];
        for (i, concept) in taxonomy.concepts.iter().enumerate() {
            for parent in concept.broader.iter().filter_map(index_of) {
                broader[i].push(parent);
                narrower[parent].push(i);
            }
        }
        // Ancestors below the top level (top concepts such as "computer vision" are too broad).
        let ancestors = |i: usize| {
            let mut found = Vec::new();
            let mut pending = broader[i].clone();
            while let Some(a) = pending.pop() {
                if !broader[a].is_empty() && !found.contains(&a) {
                    found.push(a);
                    pending.extend(&broader[a]);
                }
            }
            found
        };
        let related = (0..count)
            .map(|i| {
                let mut related = vec![i];
                related.extend(ancestors(i));
                related.extend(&narrower[i]);
                for &parent in &broader[i] {
                    if narrower[parent].len() <= MAX_SIBLINGS {
                        related.extend(&narrower[parent]);
                    }
                }
                related.sort_unstable();
                related.dedup();
                related
            })
            .collect();
        let subtree = (0..count)
            .map(|i| {
                let mut found = vec![i];
                let mut pending = narrower[i].clone();
                while let Some(d) = pending.pop() {
                    if !found.contains(&d) {
                        found.push(d);
                        pending.extend(&narrower[d]);
                    }
                }
                found.sort_unstable();
                found
            })
            .collect();
        let (other_sense_owner, words): (Vec<usize>, Vec<&str>) =
            taxonomy.concepts.iter().enumerate().flat_map(|(i, c)| c.other_sense_context.iter().map(move |w| (i, w.as_str()))).unzip();
        Context {
            other_sense_words: AhoCorasick::builder().ascii_case_insensitive(true).build(words).expect("context words compile"),
            other_sense_owner,
            related,
            subtree,
            needs_sense: taxonomy.concepts.iter().map(|c| c.needs_sense).collect(),
            unambiguous_acronym: taxonomy.concepts.iter().map(|c| c.unambiguous_acronym).collect(),
            broader,
            narrower,
            idiom_labels: vec!["attention".into()],
        }
    }

    fn in_subtree(&self, root: usize, concept: usize) -> bool {
        self.subtree[root].binary_search(&concept).is_ok()
    }

    /// Rule 4: the sense of a `pg:needsSense` concept the other mentioned concepts point to.
    fn resolve_sense(&self, concept: usize, mentioned: &[usize]) -> Option<usize> {
        let context: Vec<usize> = mentioned.iter().copied().filter(|&m| !self.in_subtree(concept, m)).collect();
        let mut scores: Vec<(usize, usize)> = self.narrower[concept]
            .iter()
            .map(|&sense| {
                let own = context.iter().filter(|&&m| self.in_subtree(sense, m)).count();
                let other_parents = self.broader[sense].iter().filter(|&&p| p != concept);
                let near = other_parents.map(|&p| context.iter().filter(|&&m| self.in_subtree(p, m)).count()).sum::<usize>();
                (2 * own + near, sense)
            })
            .filter(|(score, _)| *score > 0)
            .collect();
        scores.sort_unstable_by(|a, b| b.0.cmp(&a.0));
        match scores.as_slice() {
            [(best, sense), rest @ ..] if rest.first().is_none_or(|(next, _)| next < best) => Some(*sense),
            _ => None,
        }
    }

    fn related(&self, a: usize, b: usize) -> bool {
        self.related[a].binary_search(&b).is_ok()
    }

    /// Applies the rules to a paper's concept mentions.
    pub fn disambiguate(&self, mentions: Vec<Mention>, definitions: &[Definition], paper: &Paper) -> Vec<Mention> {
        let keep: Vec<bool> = mentions
            .iter()
            .map(|m| {
                let singular = m.text.strip_suffix('s').unwrap_or(&m.text);
                let redefined = definitions.iter().any(|d| {
                    (d.acronym.short == m.text || d.acronym.short == singular)
                        && !d.concepts.iter().any(|&c| self.related(m.entry, c))
                });
                if redefined {
                    return false;
                }
                if m.confidence == CONFIDENCE_ACRONYM
                    && !self.unambiguous_acronym[m.entry]
                    && m.text.chars().filter(|c| c.is_alphabetic()).count() <= SHORT_ACRONYM_LETTERS {
                    let in_words = mentions.iter().any(|o| o.confidence != CONFIDENCE_ACRONYM && self.related(m.entry, o.entry));
                    let defined = definitions.iter().any(|d| d.concepts.iter().any(|&c| self.related(m.entry, c)));
                    if !in_words && !defined {
                        return false;
                    }
                }
                if m.confidence == CONFIDENCE_DERIVED && !mentions.iter().any(|o| o.confidence != CONFIDENCE_DERIVED) {
                    return false;
                }
                !(self.is_idiom_label(&m.text) && follows_idiom_verb(paper, m))
            })
            .collect();
        let kept: Vec<Mention> = mentions.into_iter().zip(keep).filter_map(|(m, keep)| keep.then_some(m)).collect();
        let kept = self.drop_other_senses(kept, paper);

        let mut mentioned: Vec<usize> = kept.iter().map(|m| m.entry).collect();
        mentioned.sort_unstable();
        mentioned.dedup();
        let has_descendant = |c: usize| mentioned.iter().any(|&m| m != c && self.in_subtree(c, m));
        kept.into_iter()
            .filter(|m| !(self.needs_sense[m.entry] && has_descendant(m.entry)))
            .map(|mut m| {
                if self.needs_sense[m.entry] {
                    if let Some(sense) = self.resolve_sense(m.entry, &mentioned) {
                        m.entry = sense;
                    }
                }
                m
            })
            .collect()
    }
}

impl Context {
    /// Whether `text` is one of the idiom labels, in any case.
    fn is_idiom_label(&self, text: &str) -> bool {
        match text.is_ascii() {
            // The same, without allocating: ASCII text lower-cases byte for byte.
            true => self.idiom_labels.iter().any(|label| label.eq_ignore_ascii_case(text)),
            false => self.idiom_labels.contains(&text.to_lowercase()),
        }
    }

    /// Rule 5: mentions of a concept whose other-field words the paper uses, without support
    /// from the concept's neighbourhood, are dropped.
    fn drop_other_senses(&self, mentions: Vec<Mention>, paper: &Paper) -> Vec<Mention> {
        if mentions.iter().all(|m| self.other_sense_owner.binary_search(&m.entry).is_err()) {
            return mentions;
        }
        let mut concepts: Vec<usize> = mentions.iter().map(|m| m.entry).collect();
        concepts.sort_unstable();
        concepts.dedup();
        let with_words = self.concepts_with_other_sense_words(paper);
        let other_sense: Vec<usize> = concepts.iter().copied().filter(|c| with_words.binary_search(c).is_ok()).collect();
        let in_other_sense = |concept: usize| other_sense.binary_search(&concept).is_ok();
        let supported = |concept: usize| concepts.iter().any(|&o| o != concept && self.related(concept, o) && !in_other_sense(o));
        let dropped: Vec<usize> = other_sense.iter().copied().filter(|&c| !supported(c)).collect();
        mentions.into_iter().filter(|m| dropped.binary_search(&m.entry).is_err()).collect()
    }

    /// The concepts (sorted) one of whose other-sense words the title or abstract holds from
    /// the start of a word (`snake` also finds `snakes`), in any case.
    fn concepts_with_other_sense_words(&self, paper: &Paper) -> Vec<usize> {
        let mut found = Vec::new();
        let mut search = |text: &str| {
            for m in self.other_sense_words.find_overlapping_iter(text) {
                if text[..m.start()].chars().next_back().is_none_or(|c| !c.is_alphanumeric()) {
                    found.push(self.other_sense_owner[m.pattern().as_usize()]);
                }
            }
        };
        if paper.title.is_ascii() && paper.abstract_text.is_ascii() {
            search(&paper.title);
            search(&paper.abstract_text);
        } else {
            // The words are lower-cased; so is a text whose case is more than ASCII's.
            search(&format!("{}\n{}", paper.title, paper.abstract_text).to_lowercase());
        }
        found.sort_unstable();
        found.dedup();
        found
    }
}

/// One of the three words before the mention is an idiom verb (`received less attention`).
fn follows_idiom_verb(paper: &Paper, mention: &Mention) -> bool {
    let text = paper.text(mention.field);
    let before = text.char_indices().nth(mention.start).map_or(text, |(at, _)| &text[..at]);
    before.split_whitespace().rev().take(3).any(|word| IDIOM_VERB.is_match(word))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::{Datasets, Extractor};
    use crate::model::test_paper;

    fn concepts_of(title: &str, abstract_text: &str) -> Vec<String> {
        let taxonomy = Taxonomy::bundled();
        let datasets = Datasets::default();
        let paper = test_paper(title, abstract_text);
        let facts = Extractor::new(&taxonomy, &datasets).extract(&paper);
        let mut ids: Vec<String> = facts
            .mentions
            .iter()
            .map(|m| taxonomy.concepts[m.entry].iri.as_str().rsplit('/').next().unwrap().to_owned())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    #[test]
    fn sam_means_segment_anything_only_in_segmentation_context() {
        let seg = concepts_of("Fast SAM", "We make SAM faster for image segmentation on mobile devices.");
        assert!(seg.contains(&"segment-anything".to_owned()), "{seg:?}");
        let sharp = concepts_of(
            "Sharper minima",
            "Sharpness-Aware Minimization (SAM) improves generalization. We study SAM for training image classifiers.",
        );
        assert!(!sharp.contains(&"segment-anything".to_owned()), "{sharp:?}");
        let bare = concepts_of("On SAM", "We analyse SAM and its convergence rate for stochastic optimization.");
        assert!(!bare.contains(&"segment-anything".to_owned()), "{bare:?}");
    }

    #[test]
    fn mamba_acronym_of_something_else_is_not_the_ssm() {
        let other = concepts_of(
            "MAMBA: Multi-level Aggregation via Memory Bank for Video Object Detection",
            "We present MAMBA, a memory bank for video object detection.",
        );
        assert!(!other.contains(&"mamba".to_owned()), "{other:?}");
        let ssm = concepts_of("Vision Mamba", "We build a vision backbone from bidirectional Mamba blocks.");
        assert!(ssm.contains(&"mamba".to_owned()), "{ssm:?}");
    }

    #[test]
    fn words_of_other_fields_need_support_from_the_neighbourhood() {
        // Real titles from outside ML (tests/gold/external-*.json): power engineering, toxicology.
        let grid = concepts_of(
            "On the Estimation of Elapsed Life of Oil-Immersed Power Transformers",
            "The insulation of oil-immersed power transformers ages with temperature; we estimate the elapsed life from dissolved gas analysis.",
        );
        assert!(!grid.contains(&"transformer".to_owned()), "{grid:?}");
        let snake = concepts_of(
            "Toxicovenomics and antivenom profiling of the Eastern green mamba snake (Dendroaspis angusticeps)",
            "The venom of the Eastern green mamba was profiled and antivenoms were tested.",
        );
        assert!(!snake.contains(&"mamba".to_owned()), "{snake:?}");
        // In any case, in a text that is not ASCII too; only from the start of a word.
        for abstract_text in ["SNAKE VENOMS of the green Mamba", "Snake venoms of the green Mamba, in Zürich", "Snakes: the venom of the Mamba, Ünsal"] {
            let found = concepts_of("A study", abstract_text);
            assert!(!found.contains(&"mamba".to_owned()), "{abstract_text}: {found:?}");
        }
        for abstract_text in ["The Mamba model is a rattlesnake of speed", "The Mamba model is a rattlesnake of speed (Zürich)"] {
            let found = concepts_of("A study", abstract_text);
            assert!(found.contains(&"mamba".to_owned()), "{abstract_text}: {found:?}");
        }
        // The same words beside a neighbouring concept: the ML sense stays.
        let forecasting = concepts_of(
            "Load forecasting for the power grid",
            "We forecast substation load with a Transformer, and a vision transformer reads the load curves as images.",
        );
        assert!(forecasting.contains(&"transformer".to_owned()), "{forecasting:?}");
        let vision = concepts_of("Vision Mamba", "Mamba, a selective state space model, is fast; unlike a snake, it does not bite.");
        assert!(vision.contains(&"mamba".to_owned()), "{vision:?}");
    }

    fn has(found: &[String], id: &str) -> bool {
        found.iter().any(|f| f == id)
    }

    #[test]
    fn derived_forms_and_unambiguous_acronyms_count() {
        // Real sentences (tests/gold/external-abstracts.json, the bundled listings).
        let mamba = concepts_of(
            "The Mamba in the Llama: Distilling and Accelerating Hybrid Models",
            "We demonstrate that it is feasible to distill large Transformers into linear RNNs by reusing the linear projection weights from attention layers.",
        );
        assert!(has(&mamba, "knowledge-distillation"), "{mamba:?}");
        let adaround = concepts_of(
            "Up or Down? Adaptive Rounding for Neural Networks",
            "When quantizing neural networks, assigning each floating-point weight to its nearest fixed-point value is the predominant approach. \
             Without fine-tuning, we can quantize the weights of Resnet18 and Resnet50 to 4-bit.",
        );
        assert!(has(&adaround, "quantization"), "{adaround:?}");
        let sparsegpt = concepts_of(
            "SparseGPT: Massive Language Models Can Be Accurately Pruned in One-Shot",
            "We show for the first time that large-scale generative pretrained transformer (GPT) family models can be pruned to at least 50% sparsity.",
        );
        assert!(has(&sparsegpt, "pruning"), "{sparsegpt:?}");
        let specinfer = concepts_of(
            "SpecInfer: Accelerating Generative Large Language Model Serving with Tree-based Speculative Inference and Verification",
            "SpecInfer uses small speculative models to predict the LLM's outputs.",
        );
        assert!(has(&specinfer, "speculative-decoding"), "{specinfer:?}");
        // Unambiguous acronyms need no other concept: a molecular dynamics paper's GPU.
        let md = concepts_of("Benchmarking GPU acceleration of a parallel molecular dynamics simulation", "GPU acceleration was observed to help.");
        assert!(has(&md, "gpu"), "{md:?}");
        let bare = concepts_of("On SAM", "We analyse SAM and its convergence rate.");
        assert!(!has(&bare, "segment-anything"), "{bare:?}");
    }

    #[test]
    fn derived_forms_and_other_sense_phrases_have_confusable_negatives() {
        // No label of any concept: a chemistry paper's `distillation` is not the technique.
        let chemistry = concepts_of(
            "Simulation and Optimization of Distillation Processes for Separating the Methanol-Chlorobenzene Mixture",
            "The mixture can be effectively separated by separate heat-pump distillation (SHPD) with significant energy savings.",
        );
        assert!(!has(&chemistry, "knowledge-distillation"), "{chemistry:?}");
        // Phrases where the word names something else, beside other ML concepts.
        let dataset = concepts_of(
            "TGDD: Trajectory Guided Dataset Distillation with Balanced Distribution",
            "We propose Trajectory Guided Dataset Distillation (TGDD) for training neural networks on a small synthetic set.",
        );
        assert!(!has(&dataset, "knowledge-distillation"), "{dataset:?}");
        let dreamfusion = concepts_of(
            "DreamFusion: Text-to-3D using 2D Diffusion",
            "We introduce a loss based on probability density distillation that enables the use of a 2D diffusion model as a prior.",
        );
        assert!(!has(&dreamfusion, "knowledge-distillation") && has(&dreamfusion, "diffusion-model"), "{dreamfusion:?}");
        let detector = concepts_of("RelationNet++", "Detection frameworks, including RetinaNet, Faster R-CNN, FCOS and ATSS.");
        assert!(!has(&detector, "cnn"), "{detector:?}");
        let gcn = concepts_of("How Powerful are Graph Neural Networks?", "Graph Convolutional Networks and GraphSAGE are popular GNN variants.");
        assert!(!has(&gcn, "cnn") && has(&gcn, "graph-neural-network"), "{gcn:?}");
        let coding = concepts_of(
            "Fast vector quantization of color image coding",
            "A new fast vector quantization encoding technique for transformed images is proposed with a neural network codebook.",
        );
        assert!(!has(&coding, "quantization"), "{coding:?}");
        // Pruning a search, not a network.
        let search = concepts_of(
            "SPANN: Highly-efficient Billion-scale Approximate Nearest Neighbor Search",
            "In the search stage, we use a query-aware scheme to dynamically prune the access of unnecessary posting lists; SPANN uses GPU memory.",
        );
        assert!(!has(&search, "pruning"), "{search:?}");
        let expert = concepts_of(
            "A Generic Knowledge Based Medical Diagnosis Expert System",
            "Inference engines will use the certainty factor to prune out low possible solutions with machine learning.",
        );
        assert!(!has(&expert, "pruning"), "{expert:?}");
    }

    #[test]
    fn attention_idiom_is_not_the_mechanism() {
        let idiom = concepts_of("A study", "This problem has received less attention in prior work on robotics.");
        assert!(!idiom.contains(&"attention".to_owned()), "{idiom:?}");
        let mechanism = concepts_of("A study", "We replace attention with a recurrent layer in the transformer.");
        assert!(mechanism.contains(&"attention".to_owned()), "{mechanism:?}");
    }
}
