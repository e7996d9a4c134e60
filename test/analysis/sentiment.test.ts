import { describe, expect, it } from 'vitest';
import { createAnalyser } from '../../analysis/index.js';

const a = createAnalyser({ brands: [] });
const label = (text: string): string | null => a.analyse({ text }).sentiment.label;

describe('English sentiment for customer text', () => {
  it.each([
    // negation
    ['The service was not good', 'negative'],
    ['Honestly not bad at all, quick delivery', 'positive'],
    ['I am not happy with this', 'negative'],
    // complaint patterns with no negative word
    ['@acme where is my bag??', 'negative'],
    ['3 hours on hold and counting', 'negative'],
    ['Still waiting for my refund from last month', 'negative'],
    ['no one at the desk, no one on the phone', 'negative'],
    ['Never again. Ordering somewhere else next time', 'negative'],
    ['my parcel has not arrived since monday', 'negative'],
    // praise and gratitude
    ['Thanks so much, the crew was amazing!', 'positive'],
    ['shout out to the team at the downtown store, you guys rock', 'positive'],
    // contrast
    ['The staff were nice but my order was wrong and cold', 'negative'],
    // emoji and emoticons
    ['Just got my new phone 😍', 'positive'],
    ['my order again 😡😡', 'negative'],
    ['delivery came :(', 'negative'],
    // information questions are neutral
    ['Do you deliver to Boston on Sundays?', 'neutral'],
    ['What time does the store open tomorrow?', 'neutral'],
  ])('%s → %s', (text, want) => {
    expect(label(text)).toBe(want);
  });

  // Complaints stated in customer-experience language with no negative word, across domains,
  // beside look-alikes that must stay positive or neutral.
  it.each([
    // disappointment
    ['I expected better', 'negative'],
    ['As a customer I expected better: the parcel arrived broken', 'negative'],
    ['Honestly the onboarding could have been a lot better', 'negative'],
    ['The meal kit was not what I paid for', 'negative'],
    ['Paid for premium support and expected more from you.', 'negative'],
    ['The new release is better than I expected, great work', 'positive'],
    ['Paid for my order in the app and it came right away, lovely', 'positive'],
    // sessions that end by themselves
    ['The app logs me out every day', 'negative'],
    ['Your banking app keeps logging me out', 'negative'],
    ['The game kicked me out in the middle of a match', 'negative'],
    ['Locked out of my account after the password reset', 'negative'],
    ['How do I log out of the app on my old phone?', 'neutral'],
    // closed without a fix or an answer
    ['Support closed my ticket without fixing anything', 'negative'],
    ['The carrier marked my claim as resolved without a refund', 'negative'],
    ['They moved my appointment without any notice', 'negative'],
    ['The courier delivered without any problem, thanks', 'positive'],
    ['The refund came through without me even asking, thank you', 'positive'],
    // wishes for what did not happen
    ['It would be nice if someone answered the phone', 'negative'],
    ['Would have been nice of you to tell us the store was closed', 'negative'],
    ['Thanks for the quick fix, would love to order again', 'positive'],
    // hanging up, thanks for nothing
    ['Called the helpline three times and it just hangs up', 'negative'],
    ['thx for nothing', 'negative'],
    // leaving
    ["I'll never order from that kitchen again", 'negative'],
    ['This is the last time I use your app', 'negative'],
    ['Taking my business elsewhere after this', 'negative'],
    ['We will never go back to that gym', 'negative'],
    ['I never use cash at the store', 'neutral'],
    ['Time to look for another bank', 'negative'],
    ['I will never forget how kind the nurse was, thank you', 'positive'],
    // waiting and queues
    ['On hold for over an hour with my internet provider', 'negative'],
    ['Long line at the pharmacy and only one cashier', 'negative'],
    ['Dinner delivered in less than an hour, amazing', 'positive'],
    // nobody there, nothing working
    ['Hello? Is anyone there?', 'negative'],
    ['Emailed the landlord portal twice to no avail', 'negative'],
    ['I have not been able to log in all morning', 'negative'],
    ['The printer driver does not seem to work', 'negative'],
    ['Could you at least send me a tracking number?', 'negative'],
    ['You owe me a refund for the cancelled class', 'negative'],
    ['The chat agent was deplorable', 'negative'],
    // waiting, repeating failures, faint praise
    ['Why am I charged a fee for paper statements?', 'negative'],
    ['The checkout page takes forever', 'negative'],
    ['Been on the phone with the insurer for hours', 'negative'],
    ['The battery lasts for days', 'neutral'],
    ['The best the agent could do was a voucher', 'negative'],
    ['The clerk was less than helpful', 'negative'],
    ['They said there was nothing they could do', 'negative'],
    ['The streaming app keeps crashing', 'negative'],
    ['The portal keeps asking me to verify my email', 'negative'],
    ['Our kids keep asking to go back, best holiday ever', 'positive'],
    ['Keep up the good work', 'positive'],
    ['Drove to the branch only to find it closed', 'negative'],
    ['Do you even read these messages?', 'negative'],
    ['Come on, the courier was due yesterday', 'negative'],
    ['Come on in, the new cafe is open', 'neutral'],
    ['I have yet to receive my replacement card', 'negative'],
    ['This is getting old, third outage this week', 'negative'],
    ['You can do better, the order was wrong twice', 'negative'],
    ['You can do better', 'negative'],
    ['Great gym, you could not do better', 'positive'],
    ['I still do not have my replacement router', 'negative'],
    ['Your support has tanked since the merger', 'negative'],
    ['The clerk was less then helpful', 'negative'],
    ['Thanks for not answering my emails', 'negative'],
    ['Must be nice to close the help desk on a Monday', 'negative'],
    ['This app used to be great', 'negative'],
    ['I would appreciate a call back', 'neutral'],
    ['It is nice and warm in the cafe', 'positive'],
    ['Two hours for a pizza #nothappy', 'negative'],
    // "increase" and "rise" are positive words in AFINN; a price rise is not good news
    ['Another price rise on my broadband plan', 'negative'],
    ['Got the price hike email today', 'negative'],
    ['The banking app slows to a crawl every evening', 'negative'],
    ['My parcel says delivered but it is not here', 'negative'],
    ['Order marked as delivered, never got it', 'negative'],
    ['Tracking says delivered, thanks for the quick shipping', 'positive'],
    ['Whats the point of a premium plan with adverts', 'negative'],
    // the customer changing their own things is no complaint; someone else changing them is
    ['I changed my address in the app yesterday', 'neutral'],
    ['Just switched my plan to the yearly one', 'neutral'],
    ['They moved my appointment to next month', 'negative'],
    // money going down is no outage
    ['My bill went down this month after the new plan', 'neutral'],
    ['The banking app went down again at lunch', 'negative'],
    ['#happy with the new phone plan', 'positive'],
    ['Are you kidding me? Another fee on my statement', 'negative'],
    ['Is there a real person I can talk to?', 'negative'],
    ['Finally talked to a real person and she sorted it in minutes, brilliant', 'positive'],
    ['How does that help me with a broken fridge?', 'negative'],
    // a number glued to its unit still counts; a number alone is not a duration
    ['Waited 45mins for a table', 'negative'],
    ['On hold 2hrs with the gas company', 'negative'],
    ['Order #12345 arrived', 'neutral'],
    ['Paid the deposit and the landlord went quiet', 'negative'],
    ['Restarted the router, already tried that, still nothing works', 'negative'],
    ['Already tried the new menu and loved it', 'positive'],
    ['This podcast is the best, listened for hours', 'positive'],
    ['It would be nice to have a dark mode', 'neutral'],
    ['Would have been nice to know before I paid', 'negative'],
    ['Anyone there tonight for the quiz?', 'neutral'],
    ['Is anyone working at the pharmacy today??', 'negative'],
  ])('complaint language: %s → %s', (text, want) => {
    expect(label(text)).toBe(want);
  });

  it('caps and elongation strengthen the score', () => {
    const plain = a.analyse({ text: 'the support was bad today' }).sentiment.score as number;
    const loud = a.analyse({ text: 'the support was BAD today' }).sentiment.score as number;
    const long = a.analyse({ text: 'the support was baaaad today' }).sentiment.score as number;
    expect(loud).toBeLessThan(plain);
    expect(long).toBeLessThan(plain);
  });

  it('scores are in [-1, 1] with a confidence in [0, 1]', () => {
    for (const t of ['worst worst worst awful terrible horrible', 'best best amazing love love', 'meh, it was fine I guess']) {
      const s = a.analyse({ text: t }).sentiment;
      expect(s.score).toBeGreaterThanOrEqual(-1);
      expect(s.score).toBeLessThanOrEqual(1);
      expect(s.confidence).toBeGreaterThanOrEqual(0);
      expect(s.confidence).toBeLessThanOrEqual(1);
    }
  });
});

describe('language', () => {
  it.each([
    ['Mi pedido llegó tarde y la comida estaba fría, qué desastre total', 'es'],
    ['Die Lieferung ist schon wieder zu spät und niemand antwortet mir', 'de'],
    ["Ma commande n'est toujours pas arrivée et personne ne répond", 'fr'],
  ])('non-English %s → %s, not scored', (text, lang) => {
    const r = a.analyse({ text });
    expect(r.language).toBe(lang);
    expect(r.sentiment).toEqual({ label: null, score: null, confidence: 0 });
    expect(r.painPoints).toEqual([]);
  });

  // Function words pick a family (Romance, West Germanic, Nordic, Malay/Tagalog) and franc decides
  // within it: languages close to each other must still come out right.
  it.each([
    ['El servicio al cliente es muy malo, nadie contesta', 'es'],
    ['O meu pedido não chegou e ninguém responde', 'pt'],
    ['Obrigado pela ajuda, o atendimento foi muito bom', 'pt'],
    ['Il mio ordine è arrivato in ritardo e nessuno risponde', 'it'],
    ['Je ne suis pas content de la livraison', 'fr'],
    ['Comanda mea nu a ajuns și nimeni nu răspunde', 'ro'],
    ['Mijn pakket is niet aangekomen en niemand reageert', 'nl'],
    ['Mein Paket ist nicht angekommen und der Kundendienst antwortet nicht', 'de'],
    ['Min beställning har inte kommit och ingen svarar', 'sv'],
    ['Jeg har ikke fått pakken min og ingen svarer', 'nb'],
    ['Pesanan saya belum sampai dan tidak ada yang menjawab', 'id'],
    ['Hindi dumating ang order ko at walang sumasagot sa mga tawag', 'tl'],
  ])('within a language family: %s → %s', (text, lang) => {
    expect(a.analyse({ text }).language).toBe(lang);
  });

  it.each([
    ['Hola, mi pedido llegó tarde otra vez', 'es'],
    ['Merci pour rien, toujours pas de réponse', 'fr'],
    ['Grazie mille, questo servizio è molto buono', 'it'],
  ])('marker words decide a short text franc gets wrong or is slow on: %s → %s', (text, lang) => {
    expect(a.analyse({ text }).language).toBe(lang);
  });

  it('an English complaint quoting a foreign phrase stays English', () => {
    expect(a.analyse({ text: 'the waiter said "no hay problema" and then we waited another hour for the food' }).language).toBe('en');
  });

  it.each(['ok', '👍', '', '?!', 'lol'])('%j is too short to tell: und, not scored', (text) => {
    const r = a.analyse({ text });
    expect(r.language).toBe('und');
    expect(r.sentiment.label).toBeNull();
  });

  it('uses the service language hint for a text too short to tell', () => {
    expect(a.analyse({ text: 'muy bien', languageHint: 'es-ES' }).language).toBe('es');
    expect(a.analyse({ text: 'ok', languageHint: 'en' }).language).toBe('en');
  });
});
