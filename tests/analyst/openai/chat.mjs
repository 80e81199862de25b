// The official `openai` npm client against ems-analyst's /v1/chat/completions (EMS_ANALYST_URL),
// once without and once with streaming, and /v1/models. Prints one JSON line:
// {"ok":true,"plain":"...","streamed":"...","chunks":N,"models":[...]}; exits 1 on any error.
import OpenAI from "openai";

const base = process.env.EMS_ANALYST_URL;
if (!base) {
  console.error("EMS_ANALYST_URL is required");
  process.exit(2);
}
const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: "not-needed", maxRetries: 0, timeout: 60000 });
const question = "Which devices are under the battery module?";
try {
  const models = await client.models.list();
  const plain = await client.chat.completions.create({
    model: "ems-analyst",
    messages: [{ role: "user", content: question }],
  });
  const stream = await client.chat.completions.create({
    model: "ems-analyst",
    messages: [{ role: "user", content: question }],
    stream: true,
  });
  let streamed = "";
  let chunks = 0;
  for await (const chunk of stream) {
    chunks += 1;
    streamed += chunk.choices[0]?.delta?.content ?? "";
  }
  console.log(JSON.stringify({
    ok: true,
    plain: plain.choices[0].message.content,
    streamed,
    chunks,
    models: models.data.map((m) => m.id),
  }));
} catch (e) {
  console.error(`openai client failed: ${e}`);
  process.exit(1);
}
