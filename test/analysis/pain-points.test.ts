import { describe, expect, it } from 'vitest';
import { compilePainPoints } from '../../analysis/pain-points.js';
import { scoreSentiment } from '../../analysis/sentiment.js';

// The team's own example sentences across industries (telecom, retail, software, banking, food
// delivery, airlines). None comes from an evaluation data set.
const matcher = compilePainPoints();
const tag = (text: string) => matcher.tag(text, scoreSentiment(text));
const ids = (text: string): string[] => tag(text).map((t) => t.id);
const top = (text: string) => tag(text)[0];

describe('complaints that look neutral are complaints', () => {
  it.each([
    ['@mybank is anyone answering the phone today?', 'customer-service'],
    ['Does anyone at your support desk ever reply to emails?', 'customer-service'],
    ['@telco hello?? anyone there?', 'customer-service'],
    ['@shop emailed your support team 3 days ago about my return', 'customer-service'],
    ['Still haven\'t heard back from anyone about my claim', 'customer-service'],
    ['@foodapp thanks for not responding to my messages', 'customer-service'],
    ['would be nice if someone at the branch picked up the phone', 'customer-service'],
    ["@mybank I haven't spoken to a human yet, only the bot", 'customer-service'],
    ['@telco how long for a reply to my ticket?', 'customer-service'],
    ["what's the hold up? the train still hasn't left the station", 'delay'],
    ['2 hours and counting in the queue at the post office', 'waiting-time'],
    ['waited 40 minutes for our bags at the carousel', 'waiting-time'],
    ['the wait for a table was ridiculous tonight', 'waiting-time'],
  ])('%s → %s', (text, id) => {
    expect(top(text)?.id).toBe(id);
  });

  it('a question asking why something fails names the failure: "why can\'t I log in?" → account-access', () => {
    expect(top("@streamco why can't I log in to the app?")?.id).toBe('account-access');
  });

  it('an information question with the same words is not a complaint', () => {
    expect(ids('How do I change my seat on the app?')).toEqual([]);
    expect(ids('Is anyone else watching the game tonight?')).toEqual([]);
    expect(ids('Do you deliver to Leeds on Sundays?')).toEqual([]);
  });
});

describe('each complaint cue is found (the evidence names the cue)', () => {
  const evidence = (text: string): string[] => tag(text).flatMap((t) => t.evidence);
  it.each([
    ['@telco do your agents ever answer the phone?', 'nobody answers'],
    ['@telco hello? is anyone there?', 'nobody answers'],
    ['@bank please answer your phones', 'nobody answers'],
    ['@shop your team is not responding to emails', 'nobody answers'],
    ["@shop still haven't heard back about my return", 'nobody answers'],
    ["@bank I haven't spoken to a human in three days of trying", 'nobody answers'],
    ['@isp never answered my ticket', 'nobody answers'],
    ['@isp it would be nice if someone answered the chat', 'nobody answers'],
    ['@isp nobody ever replies to my emails', 'nobody answers'],
    ['@isp can I at least get a reply?', 'nobody answers'],
    ['@isp how long for a response to a complaint?', 'nobody answers'],
    ["@isp your helpline isn't taking calls", 'nobody answers'],
    ["@isp haven't heard a thing since Monday", 'nobody answers'],
    ["@isp can't get any information about my case", 'nobody answers'],
    ['@telco the agent hung up on me', 'hung up'],
    ['@telco the call got dropped twice', 'hung up'],
    ['@telco been holding for 40 minutes', 'on hold'],
    ['@telco hold times are a joke', 'on hold'],
    ["@railco what's taking so long?", 'taking so long'],
    ['@railco this is taking way too long', 'taking so long'],
    ['@railco how much longer?', 'taking so long'],
    ['@railco 2 hours and counting', 'taking so long'],
    ['@railco how long do we have to wait?', 'taking so long'],
    ['@railco you made us wait for nothing', 'taking so long'],
    ["@railco the train still hasn't left", 'not moving'],
    ['@airco still on the tarmac', 'not moving'],
    ['@airco sitting on the runway again', 'not moving'],
    ['@airco going to miss my connection', 'missed connection'],
    ["@railco won't get home until midnight", 'arrive late'],
    ['@railco now due at 11pm', 'arrive late'],
    ['@shop the cashier was so rude', 'staff attitude'],
    ['@shop rude staff at the till', 'staff attitude'],
    ['@shop the manager yelled at us', 'staff attitude'],
    ['@foodco terrible meal tonight', 'bad product'],
    ['@foodco the food was cold and stale', 'bad product'],
    ['@shop emailed you 3 days ago about this', 'contact ignored'],
    ["@bank haven't been able to reach anyone", 'not able to'],
    ['@airco waited 40 minutes for our bags', 'wait in line'],
    ['@clinic waiting to see a doctor for hours', 'wait in line'],
    ['@cafe the wait for a table is ridiculous', 'wait in line'],
    ['@telco thanks for not telling me about the fee', 'thanks for not'],
    ['@telco thanks for the generic response', 'thanks for not'],
  ])('%s → %s', (text, cue) => {
    expect(evidence(text)).toContain(cue);
  });

  it.each([
    ['@bank how am I supposed to pay my rent with my card blocked?', '@bank I pay my rent with my card'],
    ['@telco are you kidding me? the router again?', '@telco the router'],
    ['@telco the agent was helpful at best', '@telco the agent was helpful'],
    ['@telco the support was less than helpful', '@telco the support was helpful'],
    ['@cafe the staff were lovely, the coffee not so much', '@cafe the staff were lovely, the coffee too'],
  ])('rhetorical questions and faint praise are complaints: "%s" is tagged, "%s" is not', (complaint, control) => {
    expect(ids(complaint).length).toBeGreaterThan(0);
    expect(ids(control)).toEqual([]);
  });
});

describe('a failed action is about what failed, not about reaching support', () => {
  it.each([
    ["I can't book a table on your website", 'booking', "can't book"],
    ["haven't been able to log in to online banking all day", 'account-access', "haven't log"],
    ["the app won't let me pay and now I can't cancel the order either", 'cancellation', "can't cancel"],
    ["can't get a refund for the broken blender", 'refund', "can't get a refund"],
  ])('%s → %s with the words as evidence', (text, id, evidence) => {
    const t = tag(text).find((x) => x.id === id);
    expect(t).toBeDefined();
    expect(t?.evidence).toContain(evidence);
  });

  it("can't get through to anyone is customer-service", () => {
    expect(top("I can't get through to anyone at the call centre")?.id).toBe('customer-service');
  });
});

describe('praise, thanks and denied problems tag nothing', () => {
  it.each([
    'no delay at all, great',
    'thanks for answering my call so quickly!',
    "can't wait for my new phone to arrive!",
    'the courier was lovely and the delivery came early',
    'refund arrived the next day, thanks',
    'never had a dropped call with you guys',
  ])('%s → no tag', (text) => {
    expect(ids(text)).toEqual([]);
  });

  it('a complaint cue inside praise is not a complaint: "@shop great service, delivered in 2 days" → no tag', () => {
    expect(ids('@shop great service, delivered in 2 days')).toEqual([]);
    expect(ids('@shop delivered in 2 days and nobody told me it was coming')).not.toEqual([]);
  });

  it('faint praise is not praise: "the agent was helpful at best" tags customer-service', () => {
    expect(ids('@telco the agent on the phone was helpful at best')).toContain('customer-service');
  });
});

describe('who or what the complaint is about', () => {
  it.each([
    ['the delivery driver was incredibly rude and threw the box', 'staff-behaviour'],
    ['@bank the teller at the branch laughed at my question', 'staff-behaviour'],
    ['horrible meal, the food was stale and cold', 'product-quality'],
    ['@telco keeps hanging up on me when I ask for a manager', 'customer-service'],
    ['@energyco been holding for 40 minutes, is this normal?', 'customer-service'],
    ["@airco we're still sitting at the gate, going to miss my connection", 'delay'],
    ["@railco not getting home until midnight now, this is a joke", 'delay'],
  ])('%s → %s', (text, id) => {
    expect(top(text)?.id).toBe(id);
  });

  it('failing to reach support about an errand is customer-service first, the errand second', () => {
    expect(ids('on hold for an hour trying to change my booking, nobody picks up')).toEqual(expect.arrayContaining(['customer-service', 'booking']));
    expect(top('on hold for an hour trying to change my booking, nobody picks up')?.id).toBe('customer-service');
    // Without the contact failure the errand leads.
    expect(top("the website won't let me change my booking, useless")?.id).toBe('booking');
  });

  it('a lost bag stays the complaint when support also failed to call back', () => {
    expect(top('customer service lost my bag and nobody called back')?.id).toBe('lost-item');
  });
});

describe('hashtags glue words together', () => {
  it.each([
    ['@airco #3hourdelay again', 'delay', 'delay'],
    ['@airco still waiting #lostluggage', 'lost-item', 'lost luggage'],
    ['@telco #customerservicefail', 'customer-service', 'customer service'],
  ])('%s → %s (evidence "%s")', (text, id, evidence) => {
    expect(top(text)).toMatchObject({ id, evidence: expect.arrayContaining([evidence]) });
  });

  it('a hashtag of praise tags nothing', () => {
    expect(ids('#lovemybank #greatservice')).toEqual([]);
  });
});

describe('tags carry evidence and scores a user can read', () => {
  it('strongest first, each with its words and a score in (0, 1]', () => {
    const tags = tag('my parcel is lost and the courier never called back, I want a refund');
    expect(tags.length).toBeGreaterThan(1);
    for (const t of tags) {
      expect(t.evidence.length).toBeGreaterThan(0);
      expect(t.score).toBeGreaterThan(0);
      expect(t.score).toBeLessThanOrEqual(1);
    }
    expect([...tags].sort((a, b) => b.score - a.score)).toEqual(tags);
  });

  it('a cue is shown by its name: "on hold for an hour" → customer-service with "on hold"', () => {
    expect(top('on hold for an hour with my energy supplier')).toMatchObject({ id: 'customer-service', evidence: expect.arrayContaining(['on hold']) });
  });

  it('an amount of time or a "without …" is shown in the words of the text, not by a cue name', () => {
    const evidence = (text: string): string[] => tag(text).flatMap((t) => t.evidence);
    expect(evidence('@courier my parcel is 3 weeks late')).toContain('3 weeks');
    expect(evidence('@courier my parcel is 3 weeks late')).not.toContain('n hours');
    expect(evidence('@cafe been waiting 45 minutes for our food')).toContain('45 minutes');
    expect(evidence('@telco they cancelled my line without telling me')).toContain('without telling');
    expect(evidence('@telco they cancelled my line without telling me')).not.toContain('without an answer');
  });
});

describe('repeating oneself, recurring problems, hoping for a reply, too few staff', () => {
  it.each([
    ['@bank I already tried that, twice', 'customer-service', 'said before'],
    ['@isp tried that already, any other ideas?', 'customer-service', 'said before'],
    ["@telco I've called you five times already", 'customer-service', 'said before'],
    ['@insurer still hoping to hear back from someone about my claim', 'customer-service', 'nobody answers'],
    ['@supermarket only one cashier working on a Saturday', 'waiting-time', 'understaffed'],
    ['@bank just one teller open at lunchtime', 'waiting-time', 'understaffed'],
    ['@courier please retrain your drivers', 'staff-behaviour', 'staff attitude'],
    ['@shop train your staff, seriously', 'staff-behaviour', 'staff attitude'],
  ])('%s → %s (evidence "%s")', (text, id, evidence) => {
    expect(top(text)).toMatchObject({ id, evidence: expect.arrayContaining([evidence]) });
  });

  it('"as usual" makes a flat statement a complaint, but not praise', () => {
    expect(ids('@shop same old excuses from your store').length).toBeGreaterThan(0);
    expect(ids('@foodapp great service as usual, thanks!')).toEqual([]);
  });

  it('"train your staff" is a complaint about staff; a train\'s staff is not', () => {
    expect(ids('@railco the train staff were lovely')).toEqual([]);
    expect(ids('@railco on the train the driver was great')).toEqual([]);
  });
});

describe('an errand named beside the service it was brought to', () => {
  it('the service is the complaint, the errand its purpose', () => {
    expect(ids('@cinema the call centre agent could not fix my booking').slice(0, 2)).toEqual(['customer-service', 'booking']);
  });
  it('an errand alone stays the errand', () => {
    expect(top('@cinema my booking shows the wrong date again')?.id).toBe('booking');
  });
});

describe('being a customer is not a customer-service complaint', () => {
  it.each([
    'Charged me twice and raised my price, worst month as a customer in five years',
    'As a customer I expected better: the parcel arrived broken',
    'customer since 2015 and the app still crashes every time I open it',
  ])('%s: no customer-service tag', (text) => {
    expect(ids(text)).not.toContain('customer-service');
    expect(ids(text).length).toBeGreaterThan(0);
  });

  it.each([
    ['customer service hung up on me twice today', 'customer-service'],
    ['the customer rep promised a callback that never came', 'customer-service'],
    ['your customer support is a joke, the parcel is still lost', 'customer-service'],
  ])('%s → %s', (text, id) => {
    expect(ids(text)).toContain(id);
  });
});

describe('words that name no problem on their own', () => {
  it.each([
    ['The app won\'t let me save my playlist since the update', 'booking'],
    ['Man, the wifi keeps dropping again', 'staff-behaviour'],
    ['Bold claim for a network that is down every evening', 'lost-item'],
    ['Not sure I care about the new logo, the bill went up again', 'customer-service'],
  ])('%s: no %s tag', (text, id) => {
    expect(ids(text)).not.toContain(id);
    expect(ids(text).length).toBeGreaterThan(0);
  });

  it('"won\'t let me" is about what it would not let you do: change a booking is booking', () => {
    expect(ids('The site won\'t let me change my booking')[0]).toBe('booking');
  });

  it('a positive comparison with a "no …" in it is not a complaint to the brand', () => {
    const text = 'Tried all three of you for a month: best coverage here, best price there. No clear winner, it depends what you care about.';
    expect(scoreSentiment(text).label).toBe('positive');
    expect(ids(text)).toEqual([]);
  });
});

describe('side remarks are not pain points of their own', () => {
  it('a tag well below the main one is dropped, one close to it is kept', () => {
    // The price rise is the complaint; the email it came in and the network it pays for are context.
    expect(ids('Got the price hike email today, 9% more to "invest in our network"')).toEqual(['pricing']);
    // Two real problems of similar strength are both kept.
    expect(ids('@shop my parcel arrived damaged and I was charged twice')).toEqual(expect.arrayContaining(['damaged-item', 'billing']));
  });
});

describe('a flat mention with no sign of a problem', () => {
  it.each([
    'Booked a table for Friday through the app',
    'Checked in online, boarding pass on my phone',
    'Transferred money to my sister, took seconds',
  ])('told to nobody in particular, tags nothing: %s', (text) => {
    expect(scoreSentiment(text).label).toBe('neutral');
    expect(ids(text)).toEqual([]);
  });

  it('addressed to the brand, it is a service request and tags its pain point', () => {
    expect(ids('@parcelco my parcel for the weekend, can you check')[0]).toBe('delivery');
  });
});

describe('complaint cues of the sentiment stage point to their pain point', () => {
  it.each([
    ['The app logs me out every day', 'account-access'],
    ['Such a long line at the pharmacy counter again', 'waiting-time'],
    ['the payment page keeps failing on my phone', 'bug'],
    ['Support closed my ticket without fixing anything', 'customer-service'],
    ['This is not what I paid for, the jacket is paper thin', 'product-quality'],
    ['Still no refund after 3 weeks', 'refund'],
    ['returned the blender a month ago and no reimbursement yet', 'refund'],
  ])('%s → %s', (text, id) => {
    expect(ids(text)).toContain(id);
  });

  it('a missing refund is a refund complaint first, not a customer-service one', () => {
    expect(top('Still no refund after 3 weeks')?.id).toBe('refund');
    expect(top('no reply to my emails for a week')?.id).toBe('customer-service');
  });
});

describe('common complaint vocabulary of the weaker pain points', () => {
  it.each([
    ['@courier my parcel arrived with the box torn up and the lamp inside wrecked', 'damaged-item'],
    ['@movers you broke our dining table and scuffed every wall', 'damaged-item'],
    ['@cafe the cashier snapped at me and then rudely ignored my order', 'staff-behaviour'],
    ['@gymco the trainer raised his voice at my son in front of everyone', 'staff-behaviour'],
    ['@railco the wifi is slow on every single train', 'product-quality'],
    ['@busco booked a window seat and got stuck with a nonworking charger in the aisle', 'product-quality'],
  ])('%s → %s', (text, id) => {
    expect(top(text)?.id).toBe(id);
  });
});

describe('"no …" names the missing thing', () => {
  it.each([
    ['@coachco 6 hour trip with no blankets and no snacks, freezing', 'product-quality'],
    ['@cinema no ventilation in screen 3 tonight, awful', 'product-quality'],
  ])('%s → %s', (text, id) => {
    expect(top(text)?.id).toBe(id);
  });

  it('the missing thing is evidence of its pain point', () => {
    const pq = tag('@coachco 6 hour trip with no blankets and no snacks, freezing').find((t) => t.id === 'product-quality');
    expect(pq?.evidence).toContain('no blankets');
  });
});

describe('a booking beside a clear disruption is its consequence', () => {
  it.each([
    ['@railco my train was cancelled and I got rebooked onto the 6am, my booking reference changed too', 'cancellation'],
    ['@busco coach delayed again, had to rebook my connection and pay the booking fee', 'delay'],
  ])('%s → %s', (text, id) => {
    expect(top(text)?.id).toBe(id);
    expect(ids(text)).toContain('booking');
  });

  it('a booking failure with no disruption stays booking', () => {
    expect(top("@hotelco I've tried to book a room three times and the booking page just errors")?.id).toBe('booking');
  });
});

describe('a generic "terrible experience" does not outrank the problem it describes', () => {
  it('names the specific problem first, and is product-quality only on its own', () => {
    expect(top('@shopco horrible experience, the blender arrived with a cracked jug')?.id).toBe('damaged-item');
    expect(top('@gymco what an awful experience')?.id).toBe('product-quality');
  });

  it('a plea for help names no problem: the problem beside it ranks first', () => {
    expect(top('@railco please help, we have been stuck on the platform and nobody told us')?.id).toBe('delay');
  });
});

describe('waiting for the service contact itself is customer-service', () => {
  it.each([
    ['@bankco 45 minute wait in the queue for customer service today', 'customer-service'],
    ['@shopco stood in line for 30 minutes at the customer service desk', 'customer-service'],
    ['@shopco the checkout line was 40 minutes long, only two tills open', 'waiting-time'],
  ])('%s → %s', (text, id) => {
    expect(top(text)?.id).toBe(id);
    expect(ids(text)).toContain('waiting-time');
  });
});
