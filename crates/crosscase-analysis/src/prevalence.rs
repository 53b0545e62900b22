//! Prevalence of each code (parents rolled up) in each municipality: segments, sources and participants.

use std::collections::HashMap;

use crosscase_model::Corpus;
use polars::prelude::*;
use serde::Serialize;

use crate::error::AnalysisError;

/// One code in one municipality. Codes with no codings there still get a row, with zeros.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PrevalenceRow {
    pub code: String,
    /// Kommunkod.
    pub municipality: String,
    /// Distinct coded segments (source, start, end) with the code or one of its descendants.
    pub segments: u64,
    /// Sources with at least one such segment.
    pub sources: u64,
    /// `sources / sources_total`; `null` when the municipality has no sources.
    pub source_share: Option<f64>,
    /// Participants of those sources.
    pub participants: u64,
    /// `participants / participants_total`; `null` when no participant is linked to the municipality's sources.
    pub participant_share: Option<f64>,
    /// The municipality's sources: the N of `source_share`.
    pub sources_total: u64,
    /// Participants linked to any of the municipality's sources: the N of `participant_share`.
    pub participants_total: u64,
}

/// The codings that count for prevalence: where the primary coder coded a source, only theirs; elsewhere all.
pub(crate) fn counted_codings(corpus: &Corpus) -> Vec<usize> {
    let c = &corpus.codings;
    let primary = corpus
        .settings
        .primary_coder
        .as_deref()
        .and_then(|name| corpus.coders.iter().position(|x| x == name))
        .map(|i| i as u32);
    let Some(primary) = primary else {
        return (0..c.len()).collect();
    };
    let mut by_primary = vec![false; corpus.sources.len()];
    for i in 0..c.len() {
        if c.coder[i] == primary {
            by_primary[c.source[i] as usize] = true;
        }
    }
    (0..c.len())
        .filter(|&i| !by_primary[c.source[i] as usize] || c.coder[i] == primary)
        .collect()
}

/// Runs a query on polars' streaming engine, which works in batches: a national project's rolled-up codings need
/// not all be in memory at once.
fn collect_streaming(lf: LazyFrame) -> Result<DataFrame, AnalysisError> {
    Ok(lf.collect_with_engine(Engine::Streaming)?.unwrap_single())
}

fn u64_column(df: &DataFrame, name: &str) -> Result<Vec<u64>, AnalysisError> {
    let s = df.column(name)?.cast(&DataType::UInt64)?;
    Ok(s.u64()?.iter().map(|v| v.unwrap_or(0)).collect())
}

/// Counts per (code, municipality) for every code of the codebook and every municipality of the project,
/// in codebook order and then kommunkod order.
pub fn prevalence(corpus: &Corpus) -> Result<Vec<PrevalenceRow>, AnalysisError> {
    let keep = counted_codings(corpus);
    let c = &corpus.codings;
    // Each distinct segment (source, start, end) gets a number, so that the frames below carry one small column
    // instead of three wide ones.
    let mut order = keep.clone();
    order.sort_unstable_by_key(|&i| (c.source[i], c.start[i], c.end[i]));
    let mut segment = vec![0u32; c.len()];
    let mut next = 0u32;
    for (k, &i) in order.iter().enumerate() {
        if k > 0 {
            let p = order[k - 1];
            if (c.source[p], c.start[p], c.end[p]) != (c.source[i], c.start[i], c.end[i]) {
                next += 1;
            }
        }
        segment[i] = next;
    }
    drop(order);
    let codings = df!(
        "source" => keep.iter().map(|&i| c.source[i]).collect::<Vec<u32>>(),
        "code" => keep.iter().map(|&i| c.code[i]).collect::<Vec<u32>>(),
        "segment" => keep.iter().map(|&i| segment[i]).collect::<Vec<u32>>(),
    )?;
    drop(segment);

    // Each code counts for itself and every ancestor: the roll-up is a join with (code, theme) pairs.
    let (mut anc_code, mut anc_theme) = (Vec::new(), Vec::new());
    for (code, chain) in corpus.code_ancestry().into_iter().enumerate() {
        for theme in chain {
            anc_code.push(code as u32);
            anc_theme.push(theme);
        }
    }
    let ancestry = df!("code" => anc_code, "theme" => anc_theme)?;
    let sources = df!(
        "source" => (0..corpus.sources.len() as u32).collect::<Vec<_>>(),
        "municipality" => corpus.sources.iter().map(|s| s.municipality).collect::<Vec<_>>(),
    )?;
    let (mut sp_source, mut sp_participant) = (Vec::new(), Vec::new());
    for (i, s) in corpus.sources.iter().enumerate() {
        for &p in &s.participants {
            sp_source.push(i as u32);
            sp_participant.push(p);
        }
    }
    let source_participants = df!("source" => sp_source, "participant" => sp_participant)?;

    let inner = || JoinArgs::new(JoinType::Inner);
    // (theme, segment) once each: a segment coded with both a parent and its child counts once for the parent.
    let theme_segments = codings
        .lazy()
        .join(ancestry.lazy(), [col("code")], [col("code")], inner())
        .group_by([col("theme"), col("segment")])
        .agg([col("source").first()]);
    let theme_segments = collect_streaming(theme_segments)?;
    let segments = theme_segments
        .clone()
        .lazy()
        .join(sources.clone().lazy(), [col("source")], [col("source")], inner())
        .group_by([col("theme"), col("municipality")])
        .agg([len().alias("segments"), col("source").n_unique().alias("sources")]);
    let segments = collect_streaming(segments)?;
    let theme_sources = theme_segments
        .lazy()
        .group_by([col("theme"), col("source")])
        .agg([len().alias("n")]);
    let participants = theme_sources
        .join(
            source_participants.clone().lazy(),
            [col("source")],
            [col("source")],
            inner(),
        )
        .join(sources.clone().lazy(), [col("source")], [col("source")], inner())
        .group_by([col("theme"), col("municipality")])
        .agg([col("participant").n_unique().alias("participants")]);
    let participants = collect_streaming(participants)?;

    let sources_total = sources
        .clone()
        .lazy()
        .group_by([col("municipality")])
        .agg([len().alias("n")])
        .collect()?;
    let participants_total = source_participants
        .lazy()
        .join(sources.lazy(), [col("source")], [col("source")], inner())
        .group_by([col("municipality")])
        .agg([col("participant").n_unique().alias("n")])
        .collect()?;

    let pairs = |df: &DataFrame, value: &str| -> Result<HashMap<(u64, u64), u64>, AnalysisError> {
        let (t, m, v) = (
            u64_column(df, "theme")?,
            u64_column(df, "municipality")?,
            u64_column(df, value)?,
        );
        Ok(t.into_iter().zip(m).zip(v).collect())
    };
    let per_municipality = |df: &DataFrame| -> Result<HashMap<u64, u64>, AnalysisError> {
        Ok(u64_column(df, "municipality")?
            .into_iter()
            .zip(u64_column(df, "n")?)
            .collect())
    };
    let seg = pairs(&segments, "segments")?;
    let src = pairs(&segments, "sources")?;
    let par = pairs(&participants, "participants")?;
    let src_total = per_municipality(&sources_total)?;
    let par_total = per_municipality(&participants_total)?;

    let share = |n: u64, total: u64| (total > 0).then(|| n as f64 / total as f64);
    let mut rows = Vec::with_capacity(corpus.codes.len() * corpus.municipalities.len());
    for (ci, code) in corpus.codes.iter().enumerate() {
        for (mi, m) in corpus.municipalities.iter().enumerate() {
            let key = (ci as u64, mi as u64);
            let sources = src.get(&key).copied().unwrap_or(0);
            let participants = par.get(&key).copied().unwrap_or(0);
            let sources_total = src_total.get(&(mi as u64)).copied().unwrap_or(0);
            let participants_total = par_total.get(&(mi as u64)).copied().unwrap_or(0);
            rows.push(PrevalenceRow {
                code: code.id.clone(),
                municipality: m.code.clone(),
                segments: seg.get(&key).copied().unwrap_or(0),
                sources,
                source_share: share(sources, sources_total),
                participants,
                participant_share: share(participants, participants_total),
                sources_total,
                participants_total,
            });
        }
    }
    Ok(rows)
}
