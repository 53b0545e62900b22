//! What packs are made of besides the corpus, read from one snapshot the same way by every command that writes packs
//! (`feedback`, `demo`, `workshop`).

use anyhow::Result;
use crosscase_analysis::PrevalenceRow;
use crosscase_model::{Corpus, IdeaRecords, QuoteChoice, QuoteFacts, SurveyRecords, WorkshopRecords};
use crosscase_report::FeedbackData;
use crosscase_store::Snapshot;

pub(crate) struct PackInputs {
    pub rows: Vec<PrevalenceRow>,
    pub quotes: Vec<QuoteFacts>,
    pub ideas: IdeaRecords,
    pub surveys: SurveyRecords,
    /// Each municipality's earlier workshop, for "what you told us last time".
    pub workshops: WorkshopRecords,
    /// The version of the project the snapshot reads.
    pub content_hash: String,
}

impl PackInputs {
    /// Prevalence, the quotes the packs of `municipalities` (every municipality when empty) may show, honouring the
    /// researcher's `choices` (only those segments are read, not every segment of the project), ideas, surveys and
    /// the earlier workshops, all from `snapshot`, whose `corpus` it is.
    pub(crate) fn read(
        snapshot: &Snapshot<'_>,
        corpus: &Corpus,
        municipalities: &[String],
        choices: &[QuoteChoice],
    ) -> Result<PackInputs> {
        let project = Some(snapshot.name());
        let rows = crosscase_analysis::prevalence(corpus)?;
        let candidates = crosscase_report::quote_candidates(corpus, municipalities, choices);
        let quotes = snapshot.quotes_for(project, &candidates)?;
        let content_hash = snapshot.content_hash().to_string();
        Ok(PackInputs {
            rows,
            quotes,
            ideas: snapshot.load_ideas(project)?,
            surveys: snapshot.load_surveys(project)?,
            workshops: snapshot.earlier_workshops(snapshot.name(), &content_hash)?,
            content_hash,
        })
    }

    /// The inputs as `crosscase_report::write_feedback` takes them.
    pub(crate) fn data<'a>(&'a self, corpus: &'a Corpus) -> FeedbackData<'a> {
        FeedbackData {
            corpus,
            prevalence: &self.rows,
            quotes: &self.quotes,
            ideas: &self.ideas,
            surveys: &self.surveys,
            workshops: &self.workshops,
        }
    }
}
