// The words the wording check knows, by what they do in a sentence. Single words are compared by
// lemma (the dictionary form: "forgot" → "forget"); phrases are lemma sequences. Fixed, small and
// shipped with the code: the people directory is never part of it (see wording.ts).

const set = (...words: string[]) => new Set(words);

/** Words that stand for one person. */
export const PERSON_PRONOUNS = set("he", "she", "him", "her", "himself", "herself");

/** Anyone at all: a person, unnamed. */
export const ANY_PERSON = set(
  "someone", "somebody", "nobody", "anyone", "anybody", "everyone", "everybody", "whoever", "noone", "folks", "so-and-so",
);

/** Nouns (lemmas) for a person by their job or situation. */
export const ROLE_NOUNS = set(
  "engineer", "developer", "dev", "programmer", "coder", "operator", "admin", "administrator", "sysadmin", "reviewer",
  "approver", "tester", "contractor", "consultant", "intern", "author", "manager", "dba", "sre", "lead", "person", "guy",
  "girl", "hire", "newcomer", "newbie", "junior", "responder", "on-call", "oncall", "committer", "maintainer", "releaser",
  "staff", "employee", "colleague", "teammate", "human", "individual", "technician", "commander", "member", "owner",
  "analyst", "architect", "specialist", "trainee", "freelancer", "people", "lad", "dude", "requester", "submitter",
  "assignee", "driver", "deployer", "merger", "shipper", "user",
);

/** Acronyms and names of functions that act as a team: "QA", "Ops", "the DBAs". */
export const FUNCTION_TEAMS = set("qa", "ops", "devops", "sre", "sres", "dba", "dbas", "it", "noc", "soc", "secops", "netops", "infosec", "devs", "sysops");

/** Nouns that make the words before them a team: "the DBA team", "the platform folks". */
export const TEAM_HEADS = set("team", "squad", "crew", "department", "dept", "group", "folks", "guys", "org", "organisation", "organization", "side");

/** Nouns that make a word before them a thing, not an agent: "QA environment", "Ops dashboard". */
export const THING_AFTER_AGENT = set(
  "environment", "env", "stage", "cluster", "build", "server", "dashboard", "channel", "runbook", "process", "checklist", "tool",
  "tooling", "pipeline", "job", "script", "ticket", "queue", "rotation", "schedule", "handbook", "page", "alert", "policy", "doc",
  "docs", "guide", "account", "phone", "pager", "bot", "review", "sign-off", "signoff", "approval", "budget", "load", "burden",
  "setup", "system", "calendar", "roster", "onboarding", "offboarding", "access", "laptop", "credentials", "portal", "agreement", "contract", "invoice", "backlog", "suite", "test", "tests", "board", "wiki", "handoff", "hand-off", "lead",
);

/** Verbs (lemmas) that say a person failed, whatever the rest of the sentence. */
export const FAILURE_VERBS = set(
  "forget", "ignore", "neglect", "overlook", "miss", "skip", "break", "botch", "bungle", "fumble", "misconfigure", "misread",
  "misjudge", "misunderstand", "mistype", "misclick", "fat-finger", "mess", "screw", "goof", "blunder", "cause", "bypass",
  "override", "overrode", "disregard", "rush", "assume", "forgot", "forgotten", "neglect", "slack", "fail", "refuse", "misname",
  "mislabel", "misspell", "misapply", "mishandle", "misuse", "mistake", "omit", "abandon", "mix", "confuse", "rubber-stamp",
  "introduce", "sloppy",
);

/** What a person may be said to have done in a response without being the cause of the failure. */
export const RESPONSE_VERBS = set(
  "page", "alert", "escalate", "notice", "spot", "find", "report", "restart", "follow", "fix", "restore", "mitigate", "declare",
  "open", "file", "own", "join", "investigate", "identify", "confirm", "ask", "update", "lead", "coordinate", "respond",
  "acknowledge", "trace", "diagnose", "hand", "call", "wake", "recover", "see", "raise", "flag", "try", "start", "stop", "switch",
  "drain", "scale", "post", "email", "message", "tell", "warn", "handle", "communicate", "monitor", "revert", "notify",
  "take", "get", "receive", "be", "have", "help", "pair", "review", "check", "verify", "look", "join", "write", "draft", "note",
  "suggest", "propose", "volunteer", "agree", "decide", "request", "contact", "reach", "wait", "watch", "observe", "discover",
  "realise", "realize", "catch", "triage", "debug", "test", "reproduce", "patch", "rebuild", "reboot", "failover", "fail-over",
  "kill", "pause", "resume", "block", "unblock", "disable", "enable", "roll", "rollback", "roll-back", "promote", "publish", "send",
  "announce", "run", "lead", "host", "facilitate", "chair", "document", "record", "log", "summarise", "summarize", "sign", "acknowledge", "explain",
  "describe", "show", "present", "answer", "reply", "say", "mention", "point", "work", "spend", "join", "leave", "arrive", "come",
  "go", "hop", "jump", "pull", "grab", "pick", "claim", "own", "assign", "reassign", "approve", "merge", "deploy", "ship",
  "release", "apply", "execute", "use", "add", "remove", "set", "change", "make", "build", "create", "configure", "update",
  "upgrade", "migrate", "move", "copy", "delete", "drop", "edit", "modify", "rotate", "renew", "push", "commit", "tag", "cut",
  "schedule", "plan", "prepare", "train", "onboard", "shadow", "cover", "swap", "transfer", "hand-off", "handover", "inform",
  "brief", "ping", "text", "phone", "dial", "page-out",
);

/**
 * Response verbs that are still a cause when a person does them to the system: "Leon deleted the
 * bucket", "she pushed the config". Neutral only when the sentence says it was part of the response.
 */
export const ACTS_ON_THE_SYSTEM = set(
  "delete", "drop", "push", "deploy", "merge", "ship", "release", "apply", "execute", "run", "change", "edit", "modify", "set",
  "remove", "disable", "enable", "kill", "restart", "reboot", "approve", "commit", "make", "configure", "migrate", "move", "copy",
  "upgrade", "rotate", "cut", "tag", "add", "use", "create", "build", "update", "turn", "truncate", "wipe", "overwrite",
  "rename", "launch", "trigger", "flip", "toggle", "type", "paste", "enter", "submit", "start", "stop", "write", "leave", "let",
  "put", "give", "choose", "pick", "select", "mark", "close", "decide", "go", "send", "click", "press", "install", "uninstall",
);

/** Acts on the system that, in an answer without a "because", are as often the response as the cause. */
export const RESPONSE_ONLY_IN_ANSWERS = set(
  "restart", "reboot", "kill", "stop", "start", "disable", "enable", "close", "send", "decide", "go", "run", "use", "add", "create",
  "build", "update", "write", "mark", "pick", "select", "choose", "give", "install", "launch", "trigger", "move", "scale", "apply",
  "make", "leave", "set", "put", "submit", "enter", "click", "press", "start", "upgrade", "migrate", "copy", "tag", "cut",
);

/** Words in a clause that say something was done wrongly: "ran the command with the wrong number". */
export const ERROR_MARKERS = set(
  "wrong", "bad", "broken", "incorrect", "invalid", "stale", "untested", "unreviewed", "unapproved", "faulty", "buggy", "typo",
  "accidentally", "mistakenly", "inadvertently", "unintentionally", "erroneously", "anyway", "regardless", "despite", "unchecked",
  "outdated", "careless", "instead", "without", "mistake", "error", "by-mistake", "incomplete", "unsafe", "malformed", "half-finished",
);

/** Error markers that are only a sign when they describe what a person did, not the state of a thing. */
export const WEAK_ERROR_MARKERS = set("without", "instead", "outdated", "stale", "incomplete", "error", "despite", "invalid");

/** Words that judge a person or their work. Adverbs ("carelessly") are found through their adjective. */
export const JUDGEMENT_WORDS = set(
  "careless", "carelessness", "sloppy", "sloppiness", "lazy", "laziness", "negligent", "negligence", "incompetent",
  "incompetence", "reckless", "recklessness", "irresponsible", "irresponsibility", "stupid", "stupidity", "dumb", "idiot",
  "idiotic", "clueless", "inattentive", "inattention", "thoughtless", "foolish", "complacent", "complacency", "cavalier", "lax",
  "slapdash", "amateurish", "unprofessional", "boneheaded", "moronic", "moron", "inept", "ineptitude", "useless", "hasty",
  "haste", "heedless", "lackadaisical", "slack", "slipshod", "shoddy", "half-assed", "halfassed", "brainless", "dim",
  "sloppily", "lazily", "hastily", "negligently", "recklessly", "carelessly", "thoughtlessly", "blindly", "foolishly",
  "stupidly", "irresponsibly", "cavalierly", "haphazard", "haphazardly", "unthinking", "unthinkingly", "absent-minded",
  "absentminded", "absent-mindedly", "forgetful", "forgetfulness", "neglectful", "inexcusable", "unforgivable", "sheer",
  "dereliction", "laxity", "lapse", "blunder", "goof", "screw-up", "screwup", "cock-up", "cockup", "fuck-up", "fuckup",
  "bonehead", "noob", "n00b", "cowboy", "undisciplined", "naive", "naivety", "ignorant", "ignorance", "arrogant",
  "arrogance", "overconfident", "overconfidence", "disregard", "indifference", "indifferent", "apathy", "apathetic",
  "unacceptable", "embarrassing", "shameful", "hamfisted", "ham-fisted", "clumsy", "clumsily", "butterfingers", "rushed", "distracted", "trigger-happy",
);

/**
 * Judgement words that are ordinary technical words after some nouns or before others: "dumb
 * pipe", "lazy loading", "slack channel", "dim the lights", "haste" is fine on its own.
 */
export const JUDGEMENT_LOOK_ALIKE_NEXT = set(
  "pipe", "pipes", "terminal", "terminals", "client", "clients", "switch", "proxy", "load", "loading", "loaded", "init",
  "initialisation", "initialization", "eval", "evaluation", "fetch", "import", "imports", "creation", "singleton",
  "connection", "connections", "list", "sequence", "iterator", "iteration", "value", "values", "property", "static",
  "channel", "channels", "message", "messages", "workspace", "thread", "bot", "app", "integration", "notification",
  "notifications", "alert", "alerts", "webhook", "time", "space", "capacity", "allocation", "mode", "variable",
  "evaluated", "hydration", "route", "routes", "component", "components", "module", "modules", "cowboy", "lights", "wrapper", "wrappers", "retry", "retries", "mode", "device", "devices", "node", "nodes", "agent", "agents", "cache", "caching", "queue", "consumer", "consumers", "parser", "script", "scripts", "logic", "check", "checks", "job", "jobs", "service", "services", "endpoint",
);

/** Judgement words that need a person near them to judge anyone ("lax validation" is about code). */
export const SOFT_JUDGEMENT = set(
  "lax", "slack", "hasty", "haste", "useless", "naive", "naivety", "dim", "sheer", "disregard", "indifference", "indifferent",
  "unacceptable", "embarrassing", "rushed", "haphazard", "haphazardly", "blindly", "clumsy", "clumsily", "lapse", "cowboy",
  "ignorant", "ignorance", "inexcusable", "shoddy", "useless", "complacent", "complacency", "slipshod", "shameful",
  "overconfident", "overconfidence", "apathy", "apathetic", "trigger-happy", "distracted",
);

/** Phrases (lemma sequences) that judge or blame, whatever is around them. */
export const JUDGEMENT_PHRASES: string[] = [
  "human error", "operator error", "user error", "pilot error", "rookie mistake", "rookie error", "beginner mistake",
  "amateur mistake", "amateur hour", "newbie mistake", "lapse in judgement", "lapse in judgment", "lapse of judgement",
  "lapse of judgment", "error in judgement", "error in judgment", "error of judgement", "error of judgment",
  "poor judgement", "poor judgment", "bad judgement", "bad judgment", "drop the ball", "asleep at the wheel",
  "asleep on the job", "not pay attention", "not paying attention", "without think", "without thinking", "not think",
  "careless mistake", "silly mistake", "stupid mistake", "dumb mistake", "simple mistake", "basic mistake", "obvious mistake",
  "schoolboy error", "schoolboy mistake", "fat finger", "fat-finger", "rubber stamp", "rubber-stamp", "did not bother",
  "do not bother", "didn't bother", "not bother", "could not be bother", "can not be bother", "couldn't be bother",
  "name and shame", "hold accountable", "held accountable", "be accountable", "to blame", "at fault", "whose fault", "fault of",
  "own fault", "'s fault", "his fault", "her fault", "their fault", "his mistake", "her mistake", "their mistake",
  "his error", "her error", "their error", "'s mistake", "'s error", "'s oversight", "his oversight", "her oversight",
  "their oversight", "'s lapse", "his lapse", "her lapse", "their lapse", "'s blunder", "his blunder", "her blunder",
  "should know better", "should have know better", "know better", "cut corner", "cutting corner", "corner be cut",
  "take a shortcut", "took a shortcut", "not do his job", "not do her job", "not do their job", "do not do his job",
  "do not do her job", "do not do their job", "fall asleep", "fell asleep", "fast and loose", "cowboy deploy", "cowboy change",
  "cowboy coding", "shoot from the hip", "lack of care", "lack of attention", "lack of diligence", "lack of discipline",
  "lack of professionalism", "lack of ownership", "lack of common sense", "lack of competence", "lack of experience",
  "lack of rigour", "lack of rigor", "not careful", "not careful enough", "not enough careful", "in a rush", "in too much of a rush", "in such a rush", "in a hurry", "in too much of a hurry", "slow to respond", "slow to react", "slow to acknowledge", "slow to escalate", "never get around to", "never got around to", "attention to detail", "wave through", "waved through", "click through", "clicked through", "sleep through", "slept through",
  "should not have be allow", "not up to the job", "out of his depth", "out of her depth", "out of their depth",
  "zero attention", "no attention", "half-hearted", "half hearted", "slip up", "slip-up", "mess up", "screw up", "muck up",
  "cock up", "goof up", "sloppy work", "bad work", "poor work", "not competent", "not qualify", "not qualified",
  "pure laziness", "plain laziness", "could not care less", "couldn't care less", "wasn't paying attention", "blame",
];

/** Adverbs and phrases of hindsight: the right choice presented as obvious. */
export const HINDSIGHT_WORDS = set("obviously", "clearly", "evidently", "plainly", "surely", "undoubtedly", "self-evidently");

export const HINDSIGHT_PHRASES: string[] = [
  "in hindsight", "with hindsight", "in retrospect", "looking back", "if only", "of course", "it be obvious", "be obvious that",
  "was obvious", "so obvious", "obvious in hindsight", "no-brainer", "no brainer", "should have know", "should've know",
  "should have see", "should have realise", "should have realize", "should have spot", "should have notice", "would have know",
  "would have see", "would have spot", "would have notice", "would have catch", "would have realise", "would have realize",
  "could have know", "could have see", "could have spot", "could have notice", "could have catch", "could have prevent",
  "could have avoid", "could easily have", "could simply have", "could just have", "simply need to", "simply have to",
  "just need to", "just have to", "all he have to do", "all she have to do", "all they have to do", "all you have to do",
  "all it take be", "all it take", "only have to", "only need to", "it be easy to", "easily avoidable", "easily avoid",
  "easily preventable", "easily prevent", "entirely preventable", "entirely avoidable", "completely avoidable",
  "completely preventable", "totally avoidable", "totally preventable", "any competent", "any reasonable", "any sensible",
  "any experienced", "any decent", "any half-decent", "any good", "any careful", "anyone would have", "anybody would have",
  "anyone could have", "anybody could have", "anyone can see", "anyone could see", "anybody could see", "should have be obvious",
  "should have be catch", "should have be spot", "should have be notice", "common sense", "basic common sense",
  "a simple", "should have double-check", "should have double check", "should have check", "should have test",
  "should have verify", "should have read", "should have ask", "should have wait", "should have follow", "should have look",
  "should have review", "should have run", "should have confirm", "should have make sure", "should have use",
];

/** Hindsight phrases that only say something when a person is their subject or near. */
export const HINDSIGHT_NEEDS_PERSON_PREFIX = ["should have", "a simple", "only have to", "only need to", "common sense"];

/** Adjectives and phrases a fix asks people to be, rather than changing anything. */
export const BEHAVIOUR_ADJECTIVES = set(
  "careful", "vigilant", "diligent", "thorough", "attentive", "cautious", "mindful", "alert", "aware", "conscientious",
  "disciplined", "focused", "rigorous", "meticulous", "watchful", "wary", "deliberate", "responsible", "accountable",
  "considerate", "prudent",
);

/** What a fix can ask people to do with more care: phrases (lemmas) aimed at behaviour. */
export const BEHAVIOUR_PHRASES: string[] = [
  "take care", "take more care", "take extra care", "take great care", "take better care", "pay attention",
  "pay more attention", "pay close attention", "pay closer attention", "pay extra attention", "remember to", "remember that",
  "not forget", "do not forget", "don't forget", "never forget", "think twice", "think carefully", "think before", "slow down",
  "try harder", "double-check", "double check", "triple-check", "triple check",
  "double-checking", "read carefully", "read more carefully", "check carefully", "look carefully", "check more carefully",
  "more carefully", "properly next time", "next time", "keep an eye", "stay alert", "stay focused", "stay vigilant",
  "be aware", "make sure to", "make sure they", "make sure he", "make sure she", "make sure everyone", "make sure people",
  "make sure engineer", "make sure developer", "make sure all", "ensure they", "ensure he", "ensure she", "ensure everyone",
  "ensure people", "ensure all", "ensure engineer", "ensure developer", "learn from", "learn the lesson", "learn their lesson",
  "learn his lesson", "learn her lesson", "own up", "step up", "do better", "improve their", "improve his", "improve her",
  "sharpen up", "buck up", "get better at", 
];

/** Short misspellings a one-edit reading would not risk. */
export const MISSPELLINGS: Record<string, string> = {
  eror: "error", erorr: "error", errror: "error", mistak: "mistake", mistakke: "mistake", misstake: "mistake", blamed: "blame",
  forgt: "forget", forgeted: "forgot", forgotted: "forgot", forgetted: "forgot", ignord: "ignored", ignor: "ignore",
  carefull: "careful", carfull: "careful", carful: "careful", carless: "careless", lazyness: "laziness", obvoius: "obviously",
  obvously: "obviously", obvous: "obvious", obviosly: "obviously", responsable: "responsible", developper: "developer",
  enginer: "engineer", enginner: "engineer", engeneer: "engineer", reviwer: "reviewer", oncall: "on-call", didnt: "didn't",
  shoud: "should", shuold: "should", woudl: "would", coudl: "could", neglectful: "neglectful", negligeance: "negligence",
};

/** Verbs (lemmas) that aim a fix at people when their object is a person or a team. */
export const AT_PERSON_VERBS = set(
  "remind", "retrain", "re-train", "train", "re-educate", "educate", "coach", "tell", "warn", "instruct", "discipline",
  "reprimand", "punish", "fire", "sack", "dismiss", "demote", "suspend", "penalise", "penalize", "dock", "ban", "bar",
  "admonish", "scold", "lecture", "counsel", "caution", "talk", "speak", "have", "ask", "require", "make", "force", "send",
  "mentor", "re-onboard", "supervise", "monitor", "watch", "restrict", "remove", "revoke", "strip", "replace", "reassign",
  "rotate", "move", "escort", "shadow", "pair", "audit", "name", "shame", "blame", "expect", "encourage", "urge", "mandate",
  "email", "message", "announce", "inform", "notify", "get", "let", "limit", "prevent", "stop", "keep", "block", "forbid",
  "prohibit", "disallow", "write", "put", "place", "review",
);

/** Of those, the ones that are a consequence or an order however politely put. */
export const AT_PERSON_ALWAYS = set(
  "remind", "retrain", "re-train", "re-educate", "educate", "coach", "warn", "instruct", "discipline", "reprimand", "punish",
  "fire", "sack", "dismiss", "demote", "suspend", "penalise", "penalize", "dock", "ban", "bar", "admonish", "scold", "lecture",
  "counsel", "caution", "re-onboard", "supervise", "name", "shame", "blame", "replace", "forbid", "prohibit", "mentor", "train",
);

/** Consequences for people, however the sentence is built. */
export const CONSEQUENCE_PHRASES: string[] = [
  "performance review", "performance improvement plan", "pip", "formal warning", "written warning", "verbal warning",
  "final warning", "disciplinary", "disciplinary action", "disciplinary process", "lose deploy access", "lose production access",
  "lose prod access", "lose access", "lose commit access", "lose merge access", "lose admin access", "lose root access",
  "lose their access", "lose his access", "lose her access", "lose the right", "lose deploy right", "lose deploy privilege",
  "lose privilege", "access revoke", "access be revoke", "access will be revoke", "access be remove", "access be take away",
  "right be revoke", "privilege be revoke", "take away", "strip of", "no more deploy for", "no more deploy", "no more friday",
  "sign-off from his manager", "sign-off from her manager", "sign-off from their manager", "sign off from his manager",
  "sign off from her manager", "sign off from their manager", "approval from his manager", "approval from her manager",
  "approval from their manager", "report to his manager", "report to her manager", "escalate to his manager",
  "escalate to her manager", "escalate to their manager", "talk to his manager", "talk to her manager", "talk to their manager",
  "loop in his manager", "loop in her manager", "loop in their manager", "a word with", "have a word", "serious conversation",
  "serious talk", "stern talk", "stern word", "stern conversation", "one-on-one about", "1:1 about", "apologise", "apologize",
  "apology", "accountable", "accountability", "consequence", "consequences", "be hold responsible", "hold responsible",
  "personally responsible", "personally accountable", "on probation", "probation", "dock pay", "dock his pay", "dock her pay",
  "bonus", "written up", "write up", "write-up", "named in", "call out", "call-out", "public apology", "wall of shame",
  "hall of shame", "shame", "manager 's sign-off", "manager 's sign off", "manager 's approval", "manager 's signoff",
  "'s file", "'s record", "personnel file", "hr file", "'s next invoice", "'s invoice", "'s pay", "'s salary", "'s bonus",
  "a reminder not to", "reminder not to", "until he", "until she", "until they prove", "not allow to deploy", "no longer allow to",
  "no longer be allow", "not be allow to", "not be allowed to", "be ban from", "ban from", "bar from", "keep away from",
  "near production", "out of the rotation", "off the rotation", "off the on-call", "remove from the rotation",
  "remove from on-call", "remove from the on-call", "remove him", "remove her", "remove them", "supervise", "supervision",
  "under supervision", "buddy to watch", "someone watch", "watch over",
];

/** Verbs that a neutral "who" question can have and still look for a culprit when something went wrong with them. */
export const CULPRIT_VERBS = set(
  "approve", "push", "merge", "deploy", "ship", "break", "write", "make", "change", "cause", "forget", "miss", "ignore",
  "skip", "delete", "drop", "let", "decide", "allow", "sign", "authorise", "authorize", "run", "commit", "introduce", "remove",
  "disable", "turn", "touch", "mess", "screw", "review", "rubber-stamp", "okay", "ok", "greenlight", "green-light", "leave",
  "bypass", "override", "configure", "misconfigure", "set", "type", "edit", "update", "modify", "kick", "trigger", "start",
  "release", "do", "fail", "neglect", "overlook", "botch", "test", "check", "verify", "catch", "notice", "spot", "press", "click",
  "hit", "wipe", "truncate", "mute", "snooze", "silence", "acknowledge", "close", "dismiss", "pick", "choose",
);

/** Modal verbs, and the ones of hindsight when followed by "have" and a participle. */
export const MODALS = set("should", "could", "would", "might", "must", "ought", "shall", "can", "may", "will", "'d", "need");
export const PERFECT_MODALS = set("should", "could", "would", "might", "must", "ought", "'d");

/** Verbs that only people do: "they forgot" is people, "they crashed" is hosts. */
export const HUMAN_VERBS = set(
  "forget", "ignore", "neglect", "overlook", "assume", "decide", "choose", "rush", "think", "know", "bother", "notice",
  "review", "approve", "realise", "realize", "misread", "misunderstand", "misjudge", "want", "try", "refuse", "mistype",
  "fat-finger", "botch", "bungle", "fumble", "skip", "mess", "screw", "goof", "blunder", "read", "ask", "check",
  "double-check", "verify", "test", "push", "merge", "deploy", "ship", "type", "paste", "click", "edit", "decide", "guess",
  "remember", "care", "understand", "learn", "plan", "agree", "disregard", "bypass", "override",
);

/** Verbs that, negated, describe what a person was not given rather than something they failed at. */
export const NOT_GIVEN_VERBS = set(
  "get", "receive", "have", "know", "see", "hear", "page", "alert", "notify", "call", "wake", "tell", "inform", "find", "be",
  "realise", "realize", "expect", "anticipate", "exist", "own", "give", "grant", "provide", "offer", "show", "teach", "allow",
  "permit", "assign", "include", "invite", "add", "warn", "brief", "train", "onboard",
);

/** Words between which a quoted text stands: what is quoted is somebody else's wording, not the author's. */
export const QUOTES: Record<string, string> = { '"': '"', "“": "”", "‘": "’", "`": "`", "«": "»", "'": "'" };

/** Single words of the lexicon a typo may be read as (fuzzy matched, at most one edit). */
export function fuzzyTargets(): string[] {
  return [
    ...JUDGEMENT_WORDS,
    ...HINDSIGHT_WORDS,
    ...BEHAVIOUR_ADJECTIVES,
    "forgot", "forget", "forgotten", "forgetting", "ignored", "ignoring", "neglected", "neglecting", "overlooked", "skipped",
    "misconfigured", "accidentally", "mistakenly", "carefully", "attention", "hindsight", "retrospect", "mistake", "remind",
    "reminded", "retrain", "retrained", "reprimand", "reprimanded", "discipline", "disciplined", "double-check", "responsible",
    "accountable", "obvious", "negligently", "vigilant", "responsible", "developer", "engineer", "reviewer", "operator",
    "contractor", "approver", "everyone", "somebody", "someone", "nobody", "everytime", "thoroughly", "thorough", "double",
  ].filter((w) => w.length >= 6);
}
