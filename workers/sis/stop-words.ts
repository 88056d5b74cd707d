/** Frequent function words per language (ISO 639-1): the language guess and keyword filter use them. */
export const stopWords: Record<string, ReadonlySet<string>> = {
  en: new Set(
    "a about after all also an and any are as at be been but by can could do does for from had has have he her his how i if in into is it its may more most no not of on or our out over she so such than that the their them then there these they this to up was we were what when which who will with within would you your".split(
      " ",
    ),
  ),
  de: new Set(
    "aber als am an auch auf aus bei bin bis das dass dem den der des die dies doch du durch ein eine einem einen einer es für hat hatte ich ihr im in ist ja kann mit nach nicht noch nur oder sich sie sind so über um und uns von vor war wie wir wird zu zum zur".split(
      " ",
    ),
  ),
  fr: new Set(
    "au aux avec ce ces cette dans de des du elle en est et il ils je la le les leur mais me même ne nous on ou par pas pour qu que qui sa se ses son sont sur ta te tu un une vous".split(
      " ",
    ),
  ),
  es: new Set("al como con de del el en es esta este la las le lo los más mi no o para pero por que se sin su sus también un una uno y ya".split(" ")),
  it: new Set("al alla che con da dal del della di e gli ha il in la le lo ma non nel per più si sono su tra un una uno".split(" ")),
  nl: new Set(
    "aan als bij dat de den der die dit door een en er het hij in is ik je maar met naar niet nog of om ook op te tot uit van voor was wat we wij zijn zo".split(
      " ",
    ),
  ),
  pt: new Set("ao aos as com como da das de do dos e é em entre mais mas na nas no nos não o os ou para pela pelo por que se sem seu sua um uma".split(" ")),
};

export const languageNames: Record<string, string> = {
  en: "English",
  de: "German",
  fr: "French",
  es: "Spanish",
  it: "Italian",
  nl: "Dutch",
  pt: "Portuguese",
};
