package lang

// Stop words are kept at analysis (a phrase needs them, and "to be or not
// to be" is a query); IsStopWord lets the query side decide what to do with
// them. The lists are short on purpose: the most frequent function words of
// each language — articles, prepositions, conjunctions, pronouns and
// auxiliaries — chosen by hand. Every word is also in the stopwords-iso
// 1.1.0 list of its language (MIT; checked by TestStopWordsInReference),
// and the Russian and English ones in Snowball's stop lists (BSD), but
// those lists are far longer (480 to 1,298 words) and drop content words
// such as "new", "world" or "people", so they are not used as they are.

var stopWords = map[string]map[string]bool{
	"ar": toSet(
		"في", "من", "إلى", "على", "عن", "مع", "أن", "إن", "ما", "لا", "لم", "لن", "هذا", "هذه", "ذلك", "تلك",
		"التي", "الذي", "الذين", "هو", "هي", "هم", "كان", "كانت", "قد", "ثم", "أو", "كل", "بين", "حتى", "عند",
		"بعد", "قبل", "إذا", "كما", "لكن", "غير", "أيضا", "منذ", "حيث", "هناك", "أي", "أما", "إلا", "بل", "لدى",
		"ضمن", "خلال", "دون", "حول", "عليه", "فيه", "فيها", "منها", "له", "لها", "به", "بها", "وقد",
		"وهو", "وهي", "يكون", "ولا", "ومن", "وفي", "أنه", "أنها", "إنه", "التى", "هؤلاء",
	),
	"fa": toSet(
		"و", "در", "به", "از", "که", "این", "آن", "را", "با", "برای", "تا", "یا", "هم", "نیز", "اما", "اگر",
		"هر", "چه", "چون", "پس", "بر", "است", "بود", "شد", "شده", "باشد", "او", "ما", "شما", "من", "تو",
		"آنها", "خود", "دیگر", "همه", "هیچ", "کرد", "کند", "کنند", "ولی", "بی", "پیش", "زیرا", "همین", "همان",
		"وی", "آنان", "بین", "روی", "نه", "می", "هست", "بوده", "کرده", "شود", "شوند",
	),
	"ru": toSet(
		"и", "в", "во", "не", "что", "он", "на", "я", "с", "со", "как", "а", "то", "все", "она", "так", "его",
		"но", "да", "ты", "к", "у", "же", "вы", "за", "бы", "по", "только", "ее", "мне", "было", "от", "меня",
		"еще", "нет", "о", "из", "ему", "когда", "ли", "если", "уже", "или", "ни", "быть", "был", "до", "для",
		"мы", "их", "чем", "была", "без", "под", "будет", "тот", "этот", "это", "эти", "того", "этого", "при",
		"об", "над", "после", "через", "между", "они", "были", "также", "который", "которые",
	),
	"en": toSet(
		"a", "an", "the", "and", "or", "but", "if", "of", "to", "in", "on", "at", "by", "for", "from", "with",
		"as", "is", "are", "was", "were", "be", "been", "being", "it", "its", "this", "that", "these", "those",
		"he", "she", "they", "we", "you", "i", "not", "no", "nor", "so", "than", "then", "there", "their",
		"them", "his", "her", "our", "your", "which", "who", "whom", "what", "when", "where", "why", "how",
		"all", "any", "both", "each", "has", "have", "had", "do", "does", "did", "will", "would", "can",
		"could", "should", "into", "about", "over", "after", "before", "between", "under", "also", "such",
	),
}

// IsStopWord reports whether a normalized surface form (a Token's Surface)
// is a function word of the language: "ar", "fa", "ru" or "en". It is
// false for any other language.
func IsStopWord(lang, surface string) bool {
	return stopWords[lang][surface]
}
