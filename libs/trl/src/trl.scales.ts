import type { ReadinessScale } from './trl.types.js';

/*
 * The wordings below paraphrase the published definitions; they are Lookout's own words, written to be
 * read by a trial reviewer, not quotations. Sources: UKRI / Innovate UK TRL guidance, the EU Horizon
 * work-programme general annex (TRL definitions), NASA NPR 7123.1 appendix E.
 */

export const UK_TRL: ReadinessScale = {
  id: 'uk-trl',
  name: 'Technology Readiness Levels (UK, UKRI / Innovate UK)',
  source: 'UKRI / Innovate UK',
  measures: 'technology',
  levels: [
    {
      level: 1,
      title: 'Basic principles',
      description: 'The scientific idea has been noticed and written up.',
    },
    { level: 2, title: 'Concept formulated', description: 'A practical use for the idea has been proposed.' },
    {
      level: 3,
      title: 'Proof of concept',
      description: 'Analysis and experiments show the key function works.',
    },
    { level: 4, title: 'Lab validation', description: 'Components work together on the bench, in a lab.' },
    {
      level: 5,
      title: 'Relevant-environment validation',
      description: 'The integrated prototype is tested in conditions close to real use.',
    },
    {
      level: 6,
      title: 'Relevant-environment demonstration',
      description: 'A representative system is demonstrated in a setting that stands for real operation.',
    },
    {
      level: 7,
      title: 'Operational demonstration',
      description: 'A near-final prototype is shown working in the operational environment.',
    },
    {
      level: 8,
      title: 'System complete and qualified',
      description: 'The final system passes test and acceptance.',
    },
    { level: 9, title: 'Proven in operation', description: 'The system has worked in real use over time.' },
  ],
};

export const EU_HORIZON_TRL: ReadinessScale = {
  id: 'eu-horizon-trl',
  name: 'Technology Readiness Levels (EU Horizon)',
  source: 'European Commission, Horizon work programme general annex',
  measures: 'technology',
  levels: [
    {
      level: 1,
      title: 'Basic principles observed',
      description: 'Underlying principles are seen and reported.',
    },
    {
      level: 2,
      title: 'Technology concept formulated',
      description: 'An application of them is put forward.',
    },
    { level: 3, title: 'Experimental proof of concept', description: 'The concept is shown by experiment.' },
    {
      level: 4,
      title: 'Technology validated in lab',
      description: 'The technology is checked in a laboratory.',
    },
    {
      level: 5,
      title: 'Technology validated in relevant environment',
      description: 'Checked in an industrially relevant environment.',
    },
    {
      level: 6,
      title: 'Technology demonstrated in relevant environment',
      description: 'Demonstrated in an industrially relevant environment.',
    },
    {
      level: 7,
      title: 'System prototype demonstration in operational environment',
      description: 'A prototype of the system is shown working where it will be used.',
    },
    { level: 8, title: 'System complete and qualified', description: 'The complete system is qualified.' },
    {
      level: 9,
      title: 'Actual system proven in operational environment',
      description: 'The system is proven in real operation.',
    },
  ],
};

export const NASA_TRL: ReadinessScale = {
  id: 'nasa-trl',
  name: 'Technology Readiness Levels (NASA)',
  source: 'NASA NPR 7123.1, appendix E',
  measures: 'technology',
  levels: [
    {
      level: 1,
      title: 'Basic principles observed and reported',
      description: 'Research findings are reported.',
    },
    {
      level: 2,
      title: 'Concept or application formulated',
      description: 'An application is speculated upon.',
    },
    {
      level: 3,
      title: 'Analytical and experimental proof of concept',
      description: 'Critical functions are shown analytically and by experiment.',
    },
    {
      level: 4,
      title: 'Breadboard validated in laboratory',
      description: 'Low-fidelity components are integrated and tested in the lab.',
    },
    {
      level: 5,
      title: 'Breadboard validated in relevant environment',
      description: 'Higher-fidelity components are tested in a relevant environment.',
    },
    {
      level: 6,
      title: 'Prototype demonstrated in relevant environment',
      description: 'A high-fidelity prototype is demonstrated in a relevant environment.',
    },
    {
      level: 7,
      title: 'Prototype demonstrated in operational environment',
      description: 'A prototype close to the planned system is shown in operation.',
    },
    {
      level: 8,
      title: 'Actual system completed and flight qualified',
      description: 'The final system is qualified through test and demonstration.',
    },
    {
      level: 9,
      title: 'Actual system proven in operation',
      description: 'The final system is proven in use.',
    },
  ],
};

/** Manufacturing readiness: an extra scale, to show the model is not tied to TRL. */
export const MANUFACTURING_READINESS: ReadinessScale = {
  id: 'mrl',
  name: 'Manufacturing Readiness Levels',
  source: 'paraphrased from common defence and industry usage',
  measures: 'manufacturing',
  levels: [
    {
      level: 1,
      title: 'Manufacturing implications identified',
      description: 'Basic production issues named.',
    },
    { level: 2, title: 'Manufacturing concepts identified', description: 'Ways to make it are proposed.' },
    { level: 3, title: 'Manufacturing proof of concept', description: 'Materials and processes are tried.' },
    { level: 4, title: 'Made in a lab', description: 'The technology can be produced in a laboratory.' },
    {
      level: 5,
      title: 'Components in a production-relevant setting',
      description: 'Prototype components are made in conditions like production.',
    },
    {
      level: 6,
      title: 'System in a production-relevant setting',
      description: 'A prototype system is made in conditions like production.',
    },
    {
      level: 7,
      title: 'Production-representative',
      description: 'Made in a representative production setting.',
    },
    { level: 8, title: 'Pilot line', description: 'A pilot line shows production at low rate.' },
    { level: 9, title: 'Low-rate production', description: 'Production has started at low rate.' },
    {
      level: 10,
      title: 'Full-rate production',
      description: 'Production at full rate, lean practice in place.',
    },
  ],
};

export const SCALES: readonly ReadinessScale[] = [UK_TRL, EU_HORIZON_TRL, NASA_TRL, MANUFACTURING_READINESS];
