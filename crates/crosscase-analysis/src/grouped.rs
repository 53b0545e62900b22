//! The counting engine behind prevalence and breakdowns: for every code (with its sub-codes rolled up) and every
//! group of sources, the distinct segments, sources and participants, computed with polars on small integer columns.

use std::collections::HashMap;

use crosscase_model::Corpus;
use polars::prelude::*;

use crate::error::AnalysisError;
use crate::prevalence::counted_codings;

/// Which sources (and which of their participants) belong to which group.
pub(crate) struct Groups {
    pub names: Vec<String>,
    /// (source, group): a source may be in several groups (roles) or none (no wave).
    pub sources: Vec<(u32, u32)>,
    /// (source, participant, group): the participants a group counts.
    pub participants: Vec<(u32, u32, u32)>,
}

/// Totals of one group: the N of its shares.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct GroupTotals {
    pub sources: u64,
    pub participants: u64,
    /// Distinct coded segments of all codes.
    pub segments: u64,
    pub words: u64,
}

/// Counts of one code in one group.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Cell {
    pub segments: u64,
    pub sources: u64,
    pub participants: u64,
}

pub(crate) struct GroupedCounts {
    /// Keyed by (code, group); absent means zero.
    pub cells: HashMap<(u32, u32), Cell>,
    pub totals: Vec<GroupTotals>,
}

/// Runs a query on polars' streaming engine, which works in batches: a national project's rolled-up codings need
/// not all be in memory at once.
fn collect_streaming(lf: LazyFrame) -> Result<DataFrame, AnalysisError> {
    Ok(lf.collect_with_engine(Engine::Streaming)?.unwrap_single())
}

fn u32_column(df: &DataFrame, name: &str) -> Result<Vec<u32>, AnalysisError> {
    let s = df.column(name)?.cast(&DataType::UInt32)?;
    Ok(s.u32()?.iter().map(|v| v.unwrap_or(0)).collect())
}

fn u64_column(df: &DataFrame, name: &str) -> Result<Vec<u64>, AnalysisError> {
    let s = df.column(name)?.cast(&DataType::UInt64)?;
    Ok(s.u64()?.iter().map(|v| v.unwrap_or(0)).collect())
}

pub(crate) fn grouped_counts(corpus: &Corpus, groups: &Groups) -> Result<GroupedCounts, AnalysisError> {
    let keep = counted_codings(corpus);
    let c = &corpus.codings;
    // Each distinct segment (source, start, end) gets a number, so that the frames carry one small column instead
    // of three wide ones.
    let mut order = keep.clone();
    order.sort_unstable_by_key(|&i| (c.source[i], c.start[i], c.end[i]));
    let mut segment = vec![0u32; c.len()];
    let mut source_segments = vec![0u64; corpus.sources.len()];
    let mut next = 0u32;
    for (k, &i) in order.iter().enumerate() {
        let new = k == 0 || {
            let p = order[k - 1];
            (c.source[p], c.start[p], c.end[p]) != (c.source[i], c.start[i], c.end[i])
        };
        if new {
            if k > 0 {
                next += 1;
            }
            source_segments[c.source[i] as usize] += 1;
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
    let (mut anc_code, mut anc_theme) = (Vec::new(), Vec::new());
    for (code, chain) in corpus.code_ancestry().into_iter().enumerate() {
        for theme in chain {
            anc_code.push(code as u32);
            anc_theme.push(theme);
        }
    }
    let ancestry = df!("code" => anc_code, "theme" => anc_theme)?;
    let source_groups = df!(
        "source" => groups.sources.iter().map(|p| p.0).collect::<Vec<u32>>(),
        "group" => groups.sources.iter().map(|p| p.1).collect::<Vec<u32>>(),
    )?;
    let participant_groups = df!(
        "source" => groups.participants.iter().map(|p| p.0).collect::<Vec<u32>>(),
        "participant" => groups.participants.iter().map(|p| p.1).collect::<Vec<u32>>(),
        "group" => groups.participants.iter().map(|p| p.2).collect::<Vec<u32>>(),
    )?;
    let inner = || JoinArgs::new(JoinType::Inner);
    // Two u32 columns packed into one u64 key: grouping on one integer hashes it directly, where grouping on two
    // columns encodes every row's keys as bytes first (measured: most of the time of this function).
    let pair =
        |high: &str, low: &str| (col(high).cast(DataType::UInt64) * lit(1u64 << 32)) + col(low).cast(DataType::UInt64);

    // (code, segment) once each after the roll-up: a segment coded with both a parent and its child counts once.
    let theme_segments = collect_streaming(
        codings
            .clone()
            .lazy()
            .join(ancestry.lazy(), [col("code")], [col("code")], inner())
            .group_by([pair("theme", "segment").alias("key")])
            .agg([col("theme").first(), col("source").first()]),
    )?;
    // (code, source) once each, with the number of the code's segments in the source: a source is in a group or
    // not, so counting these rows per group counts distinct sources without a distinct count.
    let theme_sources = collect_streaming(
        theme_segments
            .lazy()
            .group_by([pair("theme", "source").alias("key")])
            .agg([col("theme").first(), col("source").first(), len().alias("n")]),
    )?;
    let per_cell = collect_streaming(
        theme_sources
            .clone()
            .lazy()
            .join(source_groups.lazy(), [col("source")], [col("source")], inner())
            .group_by([pair("theme", "group").alias("key")])
            .agg([
                col("theme").first(),
                col("group").first(),
                col("n").sum().alias("segments"),
                len().alias("sources"),
            ]),
    )?;
    let per_cell_participants = collect_streaming(
        theme_sources
            .lazy()
            .join(
                participant_groups.clone().lazy(),
                [col("source")],
                [col("source")],
                inner(),
            )
            .group_by([pair("theme", "group").alias("key")])
            .agg([
                col("theme").first(),
                col("group").first(),
                col("participant").n_unique().alias("participants"),
            ]),
    )?;
    let group_participants = collect_streaming(
        participant_groups
            .lazy()
            .group_by([col("group")])
            .agg([col("participant").n_unique().alias("n")]),
    )?;

    let mut cells: HashMap<(u32, u32), Cell> = HashMap::new();
    let (t, g) = (u32_column(&per_cell, "theme")?, u32_column(&per_cell, "group")?);
    let (seg, src) = (u64_column(&per_cell, "segments")?, u64_column(&per_cell, "sources")?);
    for i in 0..t.len() {
        let cell = cells.entry((t[i], g[i])).or_default();
        cell.segments = seg[i];
        cell.sources = src[i];
    }
    let (t, g) = (
        u32_column(&per_cell_participants, "theme")?,
        u32_column(&per_cell_participants, "group")?,
    );
    let par = u64_column(&per_cell_participants, "participants")?;
    for i in 0..t.len() {
        cells.entry((t[i], g[i])).or_default().participants = par[i];
    }

    let mut totals = vec![GroupTotals::default(); groups.names.len()];
    for &(s, g) in &groups.sources {
        totals[g as usize].sources += 1;
        totals[g as usize].words += corpus.sources[s as usize].words;
    }
    // A segment lies in one source, so a group's distinct segments are the sum over its sources.
    for &(s, g) in &groups.sources {
        totals[g as usize].segments += source_segments[s as usize];
    }
    for (g, n) in u32_column(&group_participants, "group")?
        .into_iter()
        .zip(u64_column(&group_participants, "n")?)
    {
        totals[g as usize].participants = n;
    }
    Ok(GroupedCounts { cells, totals })
}
