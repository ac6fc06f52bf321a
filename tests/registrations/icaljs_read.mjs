// Reads an .ics from stdin with Mozilla's ical.js (the parser Thunderbird uses) and prints, as
// JSON, the calendar's METHOD and each VEVENT with its start and end as UTC instants.
import ICAL from "ical.js";

const chunks = [];
for await (const chunk of process.stdin) {
  chunks.push(chunk);
}
const calendar = new ICAL.Component(ICAL.parse(Buffer.concat(chunks).toString("utf8")));

// Without this, ical.js treats a TZID it does not know as floating time.
for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtimezone);
}

const utc = (time) => (time ? time.toJSDate().toISOString() : null);
const events = calendar.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  return {
    uid: event.uid,
    summary: event.summary,
    sequence: event.sequence,
    status: component.getFirstPropertyValue("status"),
    start: utc(event.startDate),
    end: utc(event.endDate),
    start_timezone: event.startDate && event.startDate.zone ? event.startDate.zone.tzid : null,
    all_day: Boolean(event.startDate && event.startDate.isDate),
    // A date (all-day) as written, e.g. "2027-05-20"; null for a timed event.
    start_date: event.startDate && event.startDate.isDate ? event.startDate.toString() : null,
    end_date: event.endDate && event.endDate.isDate ? event.endDate.toString() : null,
    location: component.getFirstPropertyValue("location"),
    description: component.getFirstPropertyValue("description"),
    url: component.getFirstPropertyValue("url"),
    categories: component.getAllProperties("categories").flatMap((p) => p.getValues()),
    alarms: component.getAllSubcomponents("valarm").map((alarm) => ({
      action: alarm.getFirstPropertyValue("action"),
      trigger: String(alarm.getFirstPropertyValue("trigger")),
    })),
    attendees: component.getAllProperties("attendee").map((attendee) => ({
      value: attendee.getFirstValue(),
      cn: attendee.getParameter("cn"),
    })),
    organizer: component.getFirstPropertyValue("organizer"),
  };
});

process.stdout.write(
  JSON.stringify({
    method: calendar.getFirstPropertyValue("method"),
    name: calendar.getFirstPropertyValue("x-wr-calname"),
    timezones: calendar.getAllSubcomponents("vtimezone").map((tz) => tz.getFirstPropertyValue("tzid")),
    events,
  }) + "\n",
);
