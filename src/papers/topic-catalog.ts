// The topic catalog, as data. Subscribers pick topic ids; a paper is in a topic when one of its phrases appears in
// the paper's title, summary, AI summary or keywords (see topics.ts for the matching rules). `titlePhrases` only
// count in the title and keywords: words such as "code", "benchmark" or "dataset" appear in nearly every abstract
// ("code is available", "on standard benchmarks") and would put every paper in the topic.
//
// Ids are stored on subscribers: never rename or remove an id without a migration (unknown ids are ignored when
// matching, so a removed topic silently matches nothing). Labels, descriptions and phrases may change freely.
export interface Topic {
  id: string;
  label: string;
  description: string;
  /** Matched anywhere (title, summary, AI summary, keywords). Spaces and hyphens are interchangeable. */
  phrases: readonly string[];
  /** Matched in the title and keywords only. */
  titlePhrases?: readonly string[];
  /**
   * Other names a person may give the topic when choosing it (API, CSV import, an evaluation readers file), besides
   * its id and its label and the label's parts ("Safety & alignment" → "safety", "alignment"). Never used for
   * matching papers. topic-names.ts resolves them; a name may belong to one topic only.
   */
  aliases?: readonly string[];
}

export const TOPIC_CATALOG: readonly Topic[] = [
  {
    id: 'llm',
    label: 'Language models',
    description: 'Large language models: architectures, pretraining, instruction tuning, long context.',
    phrases: ['language model', 'LLM', 'SLM', 'GPT', 'instruction tuning', 'instruction-tuned', 'in-context learning',
      'next-token prediction', 'long-context', 'context window', 'tokenizer', 'Qwen', 'Llama', 'Mistral', 'DeepSeek', 'chatbot'],
    aliases: ['large language models', 'LLMs', 'NLP', 'natural language processing', 'language modeling'],
  },
  {
    id: 'reasoning',
    label: 'Reasoning',
    description: 'Chain-of-thought, math and logical reasoning, test-time scaling.',
    phrases: ['reasoning', 'chain-of-thought', 'CoT', 'test-time scaling', 'test-time compute', 'mathematical problem',
      'math word problem', 'theorem proving', 'self-consistency', 'step-by-step', 'long thinking', 'reasoning model'],
    aliases: ['chain of thought', 'math reasoning', 'mathematical reasoning', 'logical reasoning'],
  },
  {
    id: 'agents',
    label: 'Agents',
    description: 'LLM agents, tool use, GUI / web / computer-use agents, multi-agent systems, deep research.',
    phrases: ['agent', 'agentic', 'multi-agent', 'tool use', 'tool calling', 'function calling', 'tool-augmented',
      'computer-use', 'GUI agent', 'web agent', 'deep research', 'agent memory'],
    aliases: ['LLM agents', 'AI agents', 'agentic AI', 'tool use', 'multi-agent systems'],
  },
  {
    id: 'multimodal',
    label: 'Multimodal',
    description: 'Vision-language and omni-modal models, image-text understanding, VQA.',
    phrases: ['multimodal', 'multi-modal', 'omnimodal', 'omni-modal', 'vision-language', 'VLM', 'MLLM', 'LVLM',
      'image-text', 'visual question answering', 'VQA', 'cross-modal', 'audio-visual', 'visual reasoning'],
    aliases: ['vision-language', 'vision-language models', 'VLM', 'MLLM', 'multimodal LLMs'],
  },
  {
    id: 'vision',
    label: 'Computer vision',
    description: 'Recognition, detection, segmentation, visual representation learning.',
    phrases: ['computer vision', 'image classification', 'object detection', 'semantic segmentation', 'instance segmentation',
      'segmentation', 'vision transformer', 'ViT', 'depth estimation', 'optical flow', 'pose estimation', 'visual grounding',
      'OCR', 'image captioning', 'visual representation', 'image recognition', 'visual encoder'],
    aliases: ['CV', 'vision', 'image understanding', 'object detection', 'segmentation'],
  },
  {
    id: 'video',
    label: 'Video',
    description: 'Video understanding and generation, video world models, temporal grounding.',
    phrases: ['video', 'text-to-video', 'temporal grounding', 'action recognition', 'frame interpolation', 'video captioning'],
    aliases: ['video understanding', 'video generation'],
  },
  {
    id: 'generation',
    label: 'Diffusion & generation',
    description: 'Diffusion and flow models, text-to-image, image editing and synthesis.',
    phrases: ['diffusion model', 'diffusion', 'flow matching', 'rectified flow', 'text-to-image', 'image generation',
      'image editing', 'image synthesis', 'generative model', 'GAN', 'score-based', 'denoising', 'Stable Diffusion', 'DiT',
      'latent diffusion', 'visual generation', 'VAE', 'video generation', 'autoregressive image'],
    titlePhrases: ['editing'],
    aliases: ['diffusion models', 'image generation', 'generative models', 'text-to-image', 'generative AI'],
  },
  {
    id: 'speech-audio',
    label: 'Speech & audio',
    description: 'Speech recognition and synthesis, spoken dialogue, music and audio.',
    phrases: ['speech', 'audio', 'ASR', 'speech recognition', 'text-to-speech', 'TTS', 'voice', 'spoken', 'music',
      'speaker', 'acoustic'],
    aliases: ['ASR', 'TTS', 'music', 'speech recognition', 'speech synthesis'],
  },
  {
    id: 'robotics',
    label: 'Robotics & embodied AI',
    description: 'Robot learning, manipulation, embodied agents, vision-language-action models, driving.',
    phrases: ['robot', 'robotic', 'robotics', 'embodied', 'manipulation', 'grasping', 'locomotion', 'vision-language-action',
      'VLA', 'sim-to-real', 'humanoid', 'autonomous driving', 'self-driving', 'autonomous vehicle', 'dexterous', 'world model'],
    aliases: ['robot learning', 'embodied', 'VLA', 'autonomous driving'],
  },
  {
    id: 'rl',
    label: 'Reinforcement learning',
    description: 'RL algorithms, policy optimization, RL for LLMs (RLHF, RLVR, GRPO), reward design.',
    phrases: ['reinforcement learning', 'RL', 'RLHF', 'RLVR', 'RLAIF', 'policy optimization', 'policy gradient', 'PPO', 'GRPO',
      'on-policy', 'off-policy', 'Q-learning', 'actor-critic', 'multi-armed bandit', 'Markov decision process', 'MDP',
      'verifiable reward', 'reward shaping'],
    aliases: ['reinforcement learning', 'RLHF', 'RLVR'],
  },
  {
    id: 'architectures',
    label: 'Architectures',
    description: 'Transformer variants, attention, state-space and recurrent models, mixture-of-experts.',
    phrases: ['transformer architecture', 'attention mechanism', 'self-attention', 'attention residual', 'residual stream',
      'state space model', 'SSM', 'Mamba', 'recurrent', 'linear attention', 'mixture-of-experts', 'MoE',
      'positional encoding', 'RoPE', 'layer normalization', 'KAN'],
    titlePhrases: ['transformer', 'attention', 'architecture'],
    aliases: ['model architectures', 'transformers', 'state space models', 'Mamba', 'attention'],
  },
  {
    id: 'efficiency',
    label: 'Efficiency & quantization',
    description: 'Quantization, pruning, sparsity, KV cache, speculative decoding, mixture-of-experts, fast inference.',
    phrases: ['quantization', 'quantized', 'pruning', 'sparsity', 'sparse attention', 'KV cache', 'speculative decoding',
      'efficient inference', 'inference efficiency', 'low-rank', 'LoRA', 'token compression', 'token pruning',
      'model compression', 'knowledge distillation', 'mixture-of-experts', 'MoE', 'lightweight', 'on-device', 'edge device',
      'memory footprint', 'linear attention', 'FlashAttention'],
    titlePhrases: ['efficient', 'compression', 'acceleration'],
    aliases: ['inference', 'efficient inference', 'model compression', 'pruning', 'efficient ML'],
  },
  {
    id: 'training',
    label: 'Training & optimization',
    description: 'Pretraining, fine-tuning, optimizers, scaling laws, distillation, training dynamics.',
    phrases: ['pretraining', 'pre-training', 'fine-tuning', 'finetuning', 'supervised fine-tuning', 'SFT', 'optimizer',
      'AdamW', 'learning rate', 'scaling law', 'training dynamics', 'gradient descent', 'SGD', 'loss landscape',
      'self-distillation', 'distillation', 'continual learning', 'catastrophic forgetting', 'curriculum learning',
      'weight decay', 'residual connection'],
    aliases: ['pretraining', 'fine-tuning', 'scaling laws', 'optimizers'],
  },
  {
    id: 'safety-alignment',
    label: 'Safety & alignment',
    description: 'Alignment, preference optimization, jailbreaks, red teaming, hallucination, bias and fairness, privacy.',
    phrases: ['alignment', 'AI safety', 'safety', 'jailbreak', 'red teaming', 'harmful', 'toxicity', 'fairness',
      'demographic bias', 'social bias', 'gender bias', 'preference optimization', 'DPO', 'reward model', 'reward hacking',
      'hallucination', 'privacy', 'adversarial attack', 'backdoor', 'watermark', 'misinformation', 'deception',
      'sycophancy', 'guardrail', 'unlearning', 'RLHF'],
    aliases: ['AI safety', 'red teaming', 'jailbreaks', 'hallucination'],
  },
  {
    id: 'interpretability',
    label: 'Interpretability',
    description: 'Mechanistic interpretability, probing, sparse autoencoders, attribution and explanations.',
    phrases: ['interpretability', 'interpretable', 'mechanistic', 'sparse autoencoder', 'probing', 'circuit discovery',
      'feature attribution', 'explainability', 'explainable', 'activation patching', 'steering vector', 'activation steering'],
    aliases: ['explainability', 'XAI', 'mechanistic interpretability'],
  },
  {
    id: 'evaluation',
    label: 'Evaluation & benchmarks',
    description: 'New benchmarks, evaluation methods and protocols, LLM-as-a-judge, leaderboards.',
    phrases: ['LLM-as-a-judge', 'leaderboard', 'human evaluation', 'evaluation framework', 'evaluation protocol',
      'evaluation suite', 'new benchmark', 'a benchmark for', 'benchmark designed'],
    titlePhrases: ['benchmark', 'benchmarking', 'bench', 'evaluation', 'evaluating', 'eval', 'evals', 'arena'],
    aliases: ['evals', 'LLM evaluation'],
  },
  {
    id: 'retrieval',
    label: 'Retrieval & RAG',
    description: 'Retrieval-augmented generation, search, dense retrieval, reranking, embeddings.',
    phrases: ['retrieval', 'retrieval-augmented', 'RAG', 'retriever', 'dense retrieval', 'information retrieval',
      'search engine', 'reranking', 're-ranking', 'reranker', 'embedding model', 'text embedding', 'vector database', 'BM25',
      'knowledge base', 'open-domain question answering'],
    aliases: ['information retrieval', 'search', 'retrieval-augmented generation', 'embeddings'],
  },
  {
    id: 'code',
    label: 'Code',
    description: 'Code generation and repair, program synthesis, software-engineering agents.',
    phrases: ['code generation', 'code LLM', 'code model', 'program synthesis', 'software engineering', 'SWE-bench',
      'programming', 'coding agent', 'code completion', 'code repair', 'program repair', 'compiler', 'repository-level',
      'unit test', 'code review', 'vibe coding'],
    titlePhrases: ['code', 'coding', 'coder'],
    aliases: ['code generation', 'software engineering', 'programming', 'coding'],
  },
  {
    id: 'science-medicine',
    label: 'Science & medicine',
    description: 'AI for science: medicine, biology, chemistry, materials, physics, climate.',
    phrases: ['medical', 'clinical', 'healthcare', 'biomedical', 'radiology', 'pathology', 'drug discovery', 'protein',
      'molecule', 'molecular', 'chemistry', 'chemical', 'materials science', 'genomics', 'single-cell', 'physics',
      'climate', 'weather forecasting', 'scientific discovery', 'AI for science', 'biology', 'patient', 'diagnosis',
      'electronic health record'],
    aliases: ['AI for science', 'medical', 'healthcare', 'biology', 'chemistry', 'AI4Science'],
  },
  {
    id: '3d',
    label: '3D & 4D',
    description: '3D reconstruction and generation, NeRF, Gaussian splatting, point clouds, avatars.',
    phrases: ['3D', '4D', 'three-dimensional', 'NeRF', 'neural radiance field', 'Gaussian splatting', '3DGS', 'point cloud',
      'mesh', 'novel view synthesis', 'multi-view', 'avatar', 'SLAM', 'scene reconstruction'],
    aliases: ['3D vision', '3D reconstruction', 'NeRF', 'Gaussian splatting'],
  },
  {
    id: 'theory',
    label: 'Theory',
    description: 'Learning theory, provable guarantees, generalization and sample complexity, expressivity.',
    phrases: ['theoretical', 'theorem', 'provable', 'provably', 'convergence rate', 'generalization bound', 'sample complexity',
      'PAC', 'lower bound', 'upper bound', 'expressivity', 'expressive power', 'learning theory', 'information-theoretic',
      'regret bound', 'minimax'],
    titlePhrases: ['theory'],
    aliases: ['learning theory', 'ML theory', 'theoretical'],
  },
  {
    id: 'multilingual',
    label: 'Multilingual & translation',
    description: 'Multilingual and cross-lingual models, machine translation, low-resource languages.',
    phrases: ['multilingual', 'machine translation', 'cross-lingual', 'low-resource language', 'translation', 'code-switching'],
    aliases: ['machine translation', 'low-resource languages', 'cross-lingual'],
  },
  {
    id: 'data',
    label: 'Data & datasets',
    description: 'Dataset releases, data curation and filtering, synthetic data, annotation.',
    phrases: ['data curation', 'synthetic data', 'data selection', 'data quality', 'data filtering', 'data mixture',
      'annotation pipeline', 'we release a dataset', 'large-scale dataset', 'new dataset'],
    titlePhrases: ['dataset', 'datasets', 'data', 'corpus'],
    aliases: ['synthetic data', 'data curation', 'data-centric AI'],
  },
];
