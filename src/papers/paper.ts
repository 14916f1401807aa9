// The normalized paper: the JSON contract other tools rely on (see DESIGN.md, "Normalized paper").
import { z } from 'zod';

export const paperSchema = z.object({
  id: z.string().regex(/^[\w.-]+$/), // arXiv id without version suffix, e.g. 2609.31620
  title: z.string().min(1),
  summary: z.string(),
  authors: z.array(z.string()),
  publishedAt: z.string().nullable(), // ISO instant of the arXiv publication
  listedOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), // the Daily Papers day
  upvotes: z.number().int().min(0),
  comments: z.number().int().min(0),
  url: z.string(), // https://huggingface.co/papers/<id>
  arxivUrl: z.string(),
  githubRepo: z.string().nullable(),
  githubStars: z.number().int().nullable(),
  projectPage: z.string().nullable(),
  organization: z.object({ name: z.string(), fullname: z.string() }).nullable(),
  thumbnail: z.string().nullable(),
  keywords: z.array(z.string()),
  aiSummary: z.string().nullable(),
});

export type Paper = z.infer<typeof paperSchema>;
