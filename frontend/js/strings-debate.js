// strings-debate.js: the UI strings of the debate's rebuttal turn, of the
// figures a worksheet card cites from the team's run, and of the motion's
// result, in English (en) and French (fr). i18n.js merges them with the
// other dictionaries; both must have the same keys (the tests check it).

const plural = (n, one, many) => (Number(n) === 1 ? one : many);
const pluralFr = (n, one, many) => (Math.abs(Number(n)) < 2 ? one : many);

export const en = {
  'timer.rebuttal': 'Time to answer',
  'agenda.rebuttalMinutes': 'Minutes to answer questions (per team)',
  'rebuttal.title': 'Rebuttal',
  'rebuttal.answeringNow': 'Answering now',
  'rebuttal.of': 'Question {n} of {total}',
  'rebuttal.yours': 'Your rebuttal: answer these questions, the most upvoted first. The facilitator moves on when you are done.',
  'rebuttal.upcoming': (p) => `After your presentation, your team answers the ${p.n === 1 ? 'most upvoted question' : `${p.n} most upvoted questions`}. So far:`,
  'rebuttal.answered': 'answered',
  'rebuttal.now': 'now',
  'rebuttal.later': 'next',
  'rebuttal.notReached': 'not reached',
  'rebuttal.done': (p) => `Rebuttal over: ${p.n} ${plural(p.n, 'question', 'questions')} answered.`,
  'rebuttal.skipped': 'No rebuttal for this team.',
  'rebuttal.start': 'Start the rebuttal now ({n} min)',
  'rebuttal.skip': 'Skip the rebuttal',
  'rebuttal.end': 'End the rebuttal',
  'rebuttal.nextQuestion': 'Answered: next question',
  'rebuttal.lastQuestion': 'Answered: end of the rebuttal',
  'rebuttal.nextStep': '{team} answers its questions',
  'rebuttal.noQuestion': 'No question waits for {team}: there is nothing to answer.',
  'rebuttal.willAnswer': (p) => `Then ${p.team} answers the ${p.n === 1 ? 'most upvoted question' : `${p.n} most upvoted questions`} (${p.min} min).`,
  'rebuttal.offAgenda': 'The agenda gives this debate no rebuttal time; you can still start one ({n} min).',
  'rebuttal.watch': '{team} is answering:',
  'evidence.label': 'Figure from the game',
  'evidence.cite': 'Cite a figure of our game',
  'evidence.change': 'Change the figure',
  'evidence.remove': 'Remove the figure',
  'evidence.removed': 'Figure removed.',
  'evidence.legend': 'Cite a figure of your company: the server fills in the values from its history.',
  'evidence.metric': 'Figure',
  'evidence.first': 'Sprint',
  'evidence.second': 'Compared with',
  'evidence.only': '— (this sprint only)',
  'evidence.start': 'start',
  'evidence.sprint': 'sprint {n}',
  'evidence.attach': 'Attach the figure',
  'evidence.attached': 'Figure attached, with the values of your company’s history.',
  'evidence.estimateNote': 'Estimate: the company did not measure it then (no monitoring or DORA dashboard).',
  'evidence.unknownNote': 'Unknown: the company had not mapped its value stream then.',
  'evidence.unknown': 'unknown',
  'evidence.better': 'better',
  'evidence.worse': 'worse',
  'evidence.same': 'unchanged',
  'evidence.exact': 'Exact figures (facilitator only): {values}',
  'evidence.perDay': '{n} a day',
  'evidence.level': '{n}/5',
  'debate.pct': '{n}%',
  'evidence.points': (p) => `${p.sign}${p.n} ${plural(Math.abs(Number(p.raw)), 'point', 'points')}`,
  'motion.verdict.carried': 'After the debate, the motion is carried ({pct}% for).',
  'motion.verdict.rejected': 'After the debate, the motion is rejected ({pct}% for).',
  'motion.verdict.tied': 'After the debate, the vote is tied.',
  'motion.voteLine': (p) => `${p.for} for, ${p.against} against (${p.pct}% for)`,
  'motion.changed': (p) => {
    const [m, f, a] = [Number(p.m), Number(p.f), Number(p.a)];
    if (m === 1) return `The only person who voted twice ${f ? 'went from against to for' : a ? 'went from for to against' : 'kept their vote'}.`;
    const parts = [];
    if (f) parts.push(`${f} went from against to for`);
    if (a) parts.push(`${a} went from for to against`);
    return `Of the ${m} people who voted twice, ${parts.length ? parts.join(' and ') : 'nobody changed sides'}.`;
  },
  'motion.noAfter': 'The vote after the debate has not taken place yet.',
  'motion.noBefore': 'There was no vote before the debate: no shift to show.',
  'motion.colon': ': ',
};

export const fr = {
  'timer.rebuttal': 'Temps pour répondre',
  'agenda.rebuttalMinutes': 'Minutes de réponse aux questions (par équipe)',
  'rebuttal.title': 'Réponses aux questions',
  'rebuttal.answeringNow': 'Réponse en cours',
  'rebuttal.of': 'Question {n} sur {total}',
  'rebuttal.yours': "À vous de répondre : voici vos questions, les plus soutenues d'abord. L'animateur passe à la suite quand vous avez terminé.",
  'rebuttal.upcoming': (p) => `Après votre présentation, votre équipe répond ${p.n === 1 ? 'à la question la plus soutenue' : `aux ${p.n} questions les plus soutenues`}. Pour l'instant :`,
  'rebuttal.answered': 'répondu',
  'rebuttal.now': 'en cours',
  'rebuttal.later': 'à suivre',
  'rebuttal.notReached': 'pas traitée',
  'rebuttal.done': (p) => `Réponses terminées : ${p.n} ${pluralFr(p.n, 'question traitée', 'questions traitées')}.`,
  'rebuttal.skipped': 'Pas de temps de réponse pour cette équipe.',
  'rebuttal.start': 'Lancer les réponses maintenant ({n} min)',
  'rebuttal.skip': 'Passer les réponses',
  'rebuttal.end': 'Terminer les réponses',
  'rebuttal.nextQuestion': 'Répondu : question suivante',
  'rebuttal.lastQuestion': 'Répondu : fin des réponses',
  'rebuttal.nextStep': "L'équipe {team} répond aux questions",
  'rebuttal.noQuestion': "Aucune question n'attend l'équipe {team} : rien à répondre.",
  'rebuttal.willAnswer': (p) => `Ensuite, l'équipe ${p.team} répond ${p.n === 1 ? 'à la question la plus soutenue' : `aux ${p.n} questions les plus soutenues`} (${p.min} min).`,
  'rebuttal.offAgenda': "Le programme ne prévoit pas de temps de réponse pour ce débat ; vous pouvez quand même en lancer un ({n} min).",
  'rebuttal.watch': "L'équipe {team} répond à :",
  'evidence.label': 'Chiffre tiré de la partie',
  'evidence.cite': 'Citer un chiffre de notre partie',
  'evidence.change': 'Changer le chiffre',
  'evidence.remove': 'Retirer le chiffre',
  'evidence.removed': 'Chiffre retiré.',
  'evidence.legend': "Citez un chiffre de votre entreprise : le serveur reprend les valeurs de son historique.",
  'evidence.metric': 'Chiffre',
  'evidence.first': 'Sprint',
  'evidence.second': 'Comparé au',
  'evidence.only': '— (ce sprint seulement)',
  'evidence.start': 'départ',
  'evidence.sprint': 'sprint {n}',
  'evidence.attach': 'Joindre le chiffre',
  'evidence.attached': "Chiffre joint, avec les valeurs de l'historique de votre entreprise.",
  'evidence.estimateNote': "Estimation : l'entreprise ne le mesurait pas à ce moment-là (ni supervision, ni tableau de bord DORA).",
  'evidence.unknownNote': "Inconnu : l'entreprise n'avait pas encore cartographié sa chaîne de valeur.",
  'evidence.unknown': 'inconnu',
  'evidence.better': 'en progrès',
  'evidence.worse': 'en recul',
  'evidence.same': 'inchangé',
  'evidence.exact': "Valeurs exactes (visibles par l'animateur seulement) : {values}",
  'evidence.perDay': '{n} par jour',
  'evidence.level': '{n}/5',
  'debate.pct': '{n}\u00a0%',
  'evidence.points': (p) => `${p.sign}${p.n} ${pluralFr(p.raw, 'point', 'points')}`,
  'motion.verdict.carried': 'Après le débat, la motion est adoptée ({pct}\u00a0% pour).',
  'motion.verdict.rejected': 'Après le débat, la motion est rejetée ({pct}\u00a0% pour).',
  'motion.verdict.tied': 'Après le débat, les voix sont partagées à égalité.',
  'motion.voteLine': (p) => `${p.for} pour, ${p.against} contre (${p.pct}\u00a0% pour)`,
  'motion.changed': (p) => {
    const [m, f, a] = [Number(p.m), Number(p.f), Number(p.a)];
    if (m === 1) return `La seule personne ayant voté deux fois ${f ? 'est passée du contre au pour' : a ? 'est passée du pour au contre' : "n'a pas changé d'avis"}.`;
    const parts = [];
    if (f) parts.push(`${f} ${pluralFr(f, 'est passé', 'sont passés')} du contre au pour`);
    if (a) parts.push(`${a} ${pluralFr(a, 'est passé', 'sont passés')} du pour au contre`);
    return `Sur les ${m} participants ayant voté deux fois, ${parts.length ? parts.join(' et ') : "personne n'a changé d'avis"}.`;
  },
  'motion.noAfter': "Le vote d'après le débat n'a pas encore eu lieu.",
  'motion.noBefore': "Il n'y a pas eu de vote avant le débat : pas d'évolution à montrer.",
  'motion.colon': '\u00a0: ',
};
